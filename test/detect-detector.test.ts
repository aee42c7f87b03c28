/**
 * The Detector's own logic — spec resolution from metadata, letterbox undo,
 * class filter, cap — against a deterministic fake backend (the real
 * onnxruntime path is covered by detect-embedded and session tests).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame } from '../src/core/frame.ts';
import type { OutputTensor } from '../src/models/decoders/types.ts';
import { Detector } from '../src/models/detector.ts';
import type { InferenceBackend, InputFeed } from '../src/models/session.ts';

/** A YOLOv10-style end-to-end model: one `[1,N,6]` output in model-input pixels. */
function fakeBackend(
  rows: number[][],
  metadata: Record<string, string> = {},
  extraInputs: InferenceBackend['inputs'] = [],
) {
  const feeds: Record<string, InputFeed>[] = [];
  let closed = 0;
  const backend: InferenceBackend = {
    inputs: [{ name: 'images', dims: [1, 3, 64, 64], type: 'float32' }, ...extraInputs],
    outputs: [{ name: 'output0', dims: [1, rows.length, 6], type: 'float32' }],
    metadata,
    provider: 'fake',
    async run(f): Promise<OutputTensor[]> {
      feeds.push({ ...f });
      return [{ name: 'output0', dims: [1, rows.length, 6], data: Float32Array.from(rows.flat()) }];
    },
    async close() {
      closed++;
    },
  };
  return { backend, feeds, closed: () => closed };
}

/** A 128x64 grey rgb24 frame: letterboxed into 64² at scale 1/2, 16 rows of padding on top. */
function frame(): Frame {
  return {
    seq: 0,
    pts: 0,
    time: 0,
    width: 128,
    height: 64,
    format: 'rgb24',
    data: new Uint8Array(128 * 64 * 3).fill(128),
    sourceId: 'test',
    meta: { timings: {} },
  };
}

const OPTIONS = { model: 'fake.onnx', confidence: 0.3, iou: 0.45, maxDetections: 10 };
const META = { names: "{0: 'person', 1: 'car', 2: 'dog'}", imgsz: '[64, 64]' };

test('boxes come back in source pixels; labels and size come from the metadata', async () => {
  const fake = fakeBackend(
    [
      [10, 26, 30, 36, 0.9, 2],
      [0, 0, 70, 70, 0.8, 0],
      [1, 1, 2, 2, 0.1, 1],
    ],
    META,
  );
  const d = await Detector.open({ ...OPTIONS, backend: fake.backend });
  const found = await d.detect(frame());
  assert.equal(found.toList(), [
    // (x − 0)/0.5, (y − 16)/0.5
    { box: [20, 20, 60, 40], score: 0.9, classId: 2, label: 'dog' },
    // Clipped to the 128x64 frame.
    { box: [0, 0, 128, 64], score: 0.8, classId: 0, label: 'person' },
  ]);
  assert.equal(d.spec.labels, ['person', 'car', 'dog']);
  assert.is(d.spec.labelsFrom, 'model metadata');
  assert.is(d.decoder.name, 'yolo-end2end');
  const feed = fake.feeds[0]!.images! as { data: Float32Array; dims: readonly number[] };
  assert.equal(feed.dims, [1, 3, 64, 64]);
  // Padding is 114/255 (Ultralytics default), content is the grey 128/255.
  assert.ok(Math.abs(feed.data[0]! - 114 / 255) < 1e-6);
  assert.ok(Math.abs(feed.data[64 * 32]! - 128 / 255) < 1e-6);
  await d.close();
  assert.is(fake.closed(), 1);
});

test('class filter and the per-frame cap', async () => {
  const rows = [
    [0, 16, 10, 26, 0.9, 0],
    [20, 16, 30, 26, 0.8, 1],
    [40, 16, 50, 26, 0.7, 0],
    [50, 30, 60, 40, 0.6, 0],
  ];
  const fake = fakeBackend(rows, META);
  const d = await Detector.open({
    ...OPTIONS,
    classes: ['person'],
    maxDetections: 2,
    backend: fake.backend,
  });
  const found = await d.detect(frame());
  assert.equal(
    found.toList().map((x) => [x.label, x.score]),
    [
      ['person', 0.9],
      ['person', 0.7],
    ],
  );
});

test('a class the model does not have is a ConfigError, and the backend is closed', async () => {
  const fake = fakeBackend([], META);
  try {
    await Detector.open({ ...OPTIONS, classes: ['cat'], backend: fake.backend });
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'ConfigError');
    assert.match((err as { hint: string }).hint, /person, car, dog/);
  }
  assert.is(fake.closed(), 1);
});

test('two preprocessors (and tensors) serve every frame of a stream, alternating', async () => {
  // Two slots: one frame can be prepared while the previous one is inferred.
  const fake = fakeBackend([], META);
  const d = await Detector.open({ ...OPTIONS, backend: fake.backend });
  for (let i = 0; i < 4; i++) await d.detect(frame());
  const tensors = fake.feeds.map((f) => f.images!.data);
  assert.is.not(tensors[0], tensors[1]);
  assert.is(tensors[0], tensors[2]);
  assert.is(tensors[1], tensors[3]);
  await d.close();
});

test('a size input (RT-DETR orig_target_sizes) is fed the model-input size; an unknown input is refused', async () => {
  const size = { name: 'orig_target_sizes', dims: [1, 2], type: 'int64' };
  const fake = fakeBackend([], META, [size]);
  const d = await Detector.open({ ...OPTIONS, backend: fake.backend });
  await d.detect(frame());
  const fed = fake.feeds[0]!.orig_target_sizes!;
  assert.equal([...(fed.data as BigInt64Array)], [64n, 64n]);
  assert.equal(fed.dims, [1, 2]);
  await d.close();

  const other = fakeBackend([], META, [{ name: 'mask', dims: [1, 64, 64], type: 'float32' }]);
  try {
    await Detector.open({ ...OPTIONS, backend: other.backend });
    assert.unreachable();
  } catch (err) {
    assert.match(
      (err as Error).message,
      /input mask \[1,64,64\] float32 is neither the image nor a size/,
    );
  }
  assert.is(other.closed(), 1);
});

test.run();
