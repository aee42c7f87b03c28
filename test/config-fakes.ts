/**
 * Test-only registries with small fake definitions, so config tests do not
 * depend on the real components (which other files own and change).
 */
import type {
  AnySinkDefinition,
  AnySourceDefinition,
  AnyStageDefinition,
  ComponentRegistries,
} from '../src/core/component.ts';
import { defineSink, defineSource, defineStage } from '../src/core/component.ts';
import { Registry } from '../src/core/registry.ts';
import { optional, t } from '../src/core/schema.ts';

const never = (): never => {
  throw new Error('fake components are never created');
};

const testpattern = defineSource({
  type: 'testpattern',
  doc: 'a generated test picture',
  options: {
    width: t.integer({ min: 16, max: 7680, default: 640, doc: 'frame width in pixels' }),
    height: t.integer({ min: 16, max: 4320, default: 480, doc: 'frame height in pixels' }),
    fps: t.number({ exclusiveMin: 0, default: 30, doc: 'frames per second' }),
    pattern: t.enum(['bars', 'gradient', 'noise'], { default: 'bars', doc: 'what to draw' }),
  },
  create: never,
});

const movie = defineSource({
  type: 'movie',
  doc: 'a video file',
  options: {
    path: t.string({ format: 'a file path', minLength: 1, doc: 'video file to read' }),
    loop: t.boolean({ default: false, doc: 'start again at the end' }),
  },
  create: never,
});

const resize = defineStage({
  type: 'resize',
  doc: 'scales frames',
  options: {
    width: t.integer({ min: 1, doc: 'output width' }),
    height: optional(
      t.integer({ min: 1, doc: 'output height; keeps the aspect ratio when absent' }),
    ),
    mode: t.enum(['fit', 'fill', 'stretch'], {
      default: 'fit',
      doc: 'how the aspect ratio is kept',
    }),
  },
  create: never,
});

const track = defineStage({
  type: 'track',
  doc: 'gives detections track ids',
  options: {
    iou: t.number({ min: 0, max: 1, default: 0.3, doc: 'minimum overlap to match a track' }),
    maxAge: t.integer({ min: 1, default: 30, doc: 'frames a lost track is kept' }),
  },
  create: never,
});

const detect = defineStage({
  type: 'detect',
  doc: 'finds objects',
  options: {
    confidence: t.number({ min: 0, max: 1, default: 0.25, doc: 'minimum score kept' }),
    classes: optional(t.list(t.string({ doc: 'a label' }), { minItems: 1, doc: 'labels to keep' })),
    input: t.object(
      {
        width: t.integer({ min: 32, default: 640, doc: 'model input width' }),
        height: t.integer({ min: 32, default: 640, doc: 'model input height' }),
      },
      { default: { width: 640, height: 640 }, doc: 'model input size' },
    ),
    zones: optional(
      t.list(
        t.object(
          {
            name: t.string({ minLength: 1, doc: 'zone name' }),
            polygon: t.list(
              t.list(t.number({ doc: 'coordinate' }), {
                minItems: 2,
                maxItems: 2,
                doc: 'a vertex',
              }),
              { minItems: 3, doc: 'vertices' },
            ),
          },
          { doc: 'a zone' },
        ),
        { doc: 'zones to report' },
      ),
    ),
    device: t.union(
      [t.integer({ min: 0, doc: 'GPU index' }), t.enum(['cpu', 'cuda'], { doc: 'device name' })],
      {
        default: 'cpu',
        doc: 'where inference runs',
      },
    ),
  },
  create: never,
});

const mirror = defineStage({
  type: 'mirror',
  doc: 'flips frames left to right',
  options: {},
  create: never,
});

const file = defineSink({
  type: 'file',
  doc: 'writes a video file',
  lossless: true,
  options: { path: t.string({ format: 'a file path', minLength: 1, doc: 'output file' }) },
  create: never,
});

const jsonl = defineSink({
  type: 'jsonl',
  doc: 'writes detections as JSON lines',
  lossless: true,
  options: { path: t.string({ format: 'a file path', doc: 'output file' }) },
  create: never,
});

const websocket = defineSink({
  type: 'websocket',
  doc: 'streams detections to dashboards',
  lossless: false,
  options: { port: t.integer({ min: 1, max: 65535, default: 8080, doc: 'TCP port' }) },
  create: never,
});

export function fakeRegistries(): ComponentRegistries {
  const sources = new Registry<AnySourceDefinition>('source');
  const stages = new Registry<AnyStageDefinition>('stage');
  const sinks = new Registry<AnySinkDefinition>('sink');
  for (const d of [testpattern, movie]) sources.add(d.type, d);
  for (const d of [resize, track, detect, mirror]) stages.add(d.type, d);
  for (const d of [file, jsonl, websocket]) sinks.add(d.type, d);
  return { sources, stages, sinks };
}
