/**
 * Registers every built-in source, stage and sink. Adding a component is adding
 * its file and one line here; the CLI, validation, JSON Schema and docs all
 * read the registries.
 */
import { registries, sinks, sources, stages } from './components.ts';
import { fileSink } from './sinks/file.ts';
import { jsonlSink } from './sinks/jsonl.ts';
import { nullSink } from './sinks/null.ts';
import { fileSource } from './sources/file.ts';
import { testsrcSource } from './sources/testsrc.ts';
import { encodeStage } from './stages/encode.ts';
import { resizeStage } from './stages/resize.ts';

sources.add(fileSource.type, fileSource).add(testsrcSource.type, testsrcSource);

stages.add(resizeStage.type, resizeStage);
stages.add(encodeStage.type, encodeStage);

sinks.add(fileSink.type, fileSink).add(jsonlSink.type, jsonlSink).add(nullSink.type, nullSink);

export { registries };
