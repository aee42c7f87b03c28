/**
 * Registers every built-in source, stage and sink. Adding a component is adding
 * its file and one line here; the CLI, validation, JSON Schema and docs all
 * read the registries.
 */
import type {
  AnySinkDefinition,
  AnySourceDefinition,
  AnyStageDefinition,
  ComponentRegistries,
} from './core/component.ts';
import { Registry } from './core/registry.ts';
import { fileSink } from './sinks/file.ts';
import { jsonlSink } from './sinks/jsonl.ts';
import { nullSink } from './sinks/null.ts';
import { rtspSink } from './sinks/rtsp.ts';
import { websocketSink } from './sinks/websocket.ts';
import { cameraSource } from './sources/camera.ts';
import { fileSource } from './sources/file.ts';
import { httpSource } from './sources/http.ts';
import { rtspSource } from './sources/rtsp.ts';
import { testsrcSource } from './sources/testsrc.ts';
import { decodeStage } from './stages/decode.ts';
import { detectStage } from './stages/detect.ts';
import { encodeStage } from './stages/encode.ts';
import { nmsStage } from './stages/nms.ts';
import { effectsStage } from './stages/effects.ts';
import { overlayStage } from './stages/overlay.ts';
import { countStage } from './stages/count.ts';
import { resizeStage } from './stages/resize.ts';
import { segmentStage } from './stages/segment.ts';
import { trackStage } from './stages/track.ts';

const sources = new Registry<AnySourceDefinition>('source');
const stages = new Registry<AnyStageDefinition>('stage');
const sinks = new Registry<AnySinkDefinition>('sink');

sources.add(fileSource.type, fileSource).add(testsrcSource.type, testsrcSource);
sources.add(rtspSource.type, rtspSource);
sources.add(cameraSource.type, cameraSource).add(httpSource.type, httpSource);

stages.add(decodeStage.type, decodeStage);
stages.add(resizeStage.type, resizeStage);
stages.add(detectStage.type, detectStage);
stages.add(segmentStage.type, segmentStage);
stages.add(nmsStage.type, nmsStage);
stages.add(trackStage.type, trackStage);
stages.add(countStage.type, countStage);
stages.add(encodeStage.type, encodeStage);
stages.add(overlayStage.type, overlayStage);
stages.add(effectsStage.type, effectsStage);

sinks.add(fileSink.type, fileSink).add(jsonlSink.type, jsonlSink).add(nullSink.type, nullSink);
sinks.add(rtspSink.type, rtspSink);
sinks.add(websocketSink.type, websocketSink);

export const registries: ComponentRegistries = { sources, stages, sinks };
