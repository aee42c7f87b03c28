/**
 * YOLOX exports are recognised from their shape (one row per grid cell, where
 * YOLOv5 has three anchors per cell), decoded whether the graph ran YOLOX's
 * decode or not, and fed YOLOX's own preprocessing (top-left padding, raw
 * 0–255 BGR). Decoders that misread a model refuse instead of returning
 * garbage. Expected boxes are computed by hand in the comments.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame } from '../src/core/frame.ts';
import { chooseDecoder, decoders } from '../src/models/decoders/index.ts';
import type { OutputTensor } from '../src/models/decoders/types.ts';
import { yoloxRows } from '../src/models/decoders/yolox.ts';
import { Detector } from '../src/models/detector.ts';
import { boxesToSource, computeLetterbox, modelToSource } from '../src/models/letterbox.ts';
import { resolveModelSpec, withDecoderPreprocess } from '../src/models/model-spec.ts';
import type { InferenceBackend, InputFeed } from '../src/models/session.ts';

test('YOLOX rows per input size: 8400 at 640, 3549 at 416, 84 at 64', () => {
  // 80² + 40² + 20²; 52² + 26² + 13²; 8² + 4² + 2².
  assert.is(yoloxRows({ width: 640, height: 640 }), 8400);
  assert.is(yoloxRows({ width: 416, height: 416 }), 3549);
  assert.is(yoloxRows({ width: 64, height: 64 }), 84);
});

test('chooseDecoder: N = grid cells is YOLOX, N = 3 × grid cells is YOLOv5, without metadata', () => {
  const at = (n: number, size: number) =>
    chooseDecoder([{ name: 'output', dims: [1, n, 85] }], {}, undefined, {
      width: size,
      height: size,
    }).name;
  assert.is(at(8400, 640), 'yolox');
  assert.is(at(3549, 416), 'yolox');
  assert.is(at(25200, 640), 'yolo-anchor-based');
  assert.is(at(10647, 416), 'yolo-anchor-based');
  // The YOLOX count for another input size says nothing: still YOLOv5's layout.
  assert.is(at(3549, 640), 'yolo-anchor-based');
});

test('top-left letterbox: content at (0, 0), all padding right and below', () => {
  // 640x480 into 416²: scale min(416/640, 416/480) = 0.65, content 416x312.
  const lb = computeLetterbox(640, 480, 416, 416, 'letterbox', 'top-left');
  assert.equal(
    [lb.scaleX, lb.contentX, lb.contentY, lb.contentWidth, lb.contentHeight],
    [0.65, 0, 0, 416, 312],
  );
  const centred = computeLetterbox(640, 480, 416, 416, 'letterbox');
  assert.is(centred.contentY, 52); // (416 − 312) / 2
  const back = boxesToSource(
    Float32Array.from([0, 0, 416, 312]),
    modelToSource(lb, 640, 480, undefined),
  );
  assert.equal([...back], [0, 0, 640, 480]);
});

/** A YOLOX-shaped model with a 64² input: 84 rows of 5 + 2 classes. */
function yoloxBackend(row: { index: number; values: number[] }, metadata = {}) {
  const values = new Float32Array(84 * 7);
  values.set(row.values, row.index * 7);
  const feeds: Record<string, InputFeed>[] = [];
  const backend: InferenceBackend = {
    inputs: [{ name: 'images', dims: [1, 3, 64, 64], type: 'float32' }],
    outputs: [{ name: 'output', dims: [1, 84, 7], type: 'float32' }],
    metadata,
    provider: 'fake',
    async run(f): Promise<OutputTensor[]> {
      feeds.push({ ...f });
      return [{ name: 'output', dims: [1, 84, 7], data: values }];
    },
    async close() {},
  };
  return { backend, feeds };
}

/** 128x64 rgb24, every pixel R 200, G 100, B 50: scale 1/2 into 64², content 64x32. */
function frame(): Frame {
  const data = new Uint8Array(128 * 64 * 3);
  for (let i = 0; i < data.length; i += 3) data.set([200, 100, 50], i);
  return {
    seq: 0,
    pts: 0,
    time: 0,
    width: 128,
    height: 64,
    format: 'rgb24',
    data,
    sourceId: 'test',
    meta: { timings: {} },
  };
}

const OPTIONS = { model: 'yolox.onnx', confidence: 0.3, iou: 0.45, maxDetections: 10 };

test('a recognised raw YOLOX export: grid decoding, top-left padding, raw BGR input', async () => {
  // Row 71 is cell (x 3, y 1) of the stride-16 level (rows 64–79, a 4x4 grid):
  // centre ((0.5 + 3)·16, (0.25 + 1)·16) = (56, 20), size (2·16, 1·16) → (40, 12, 72, 28)
  // in model pixels; score 0.9 × 0.7 for class 1. Top-left, scale 1/2:
  // (80, 24, 144, 56), clipped to the 128-wide frame.
  const fake = yoloxBackend({ index: 71, values: [0.5, 0.25, Math.LN2, 0, 0.9, 0.2, 0.7] });
  const d = await Detector.open({ ...OPTIONS, backend: fake.backend });
  assert.is(d.decoder.name, 'yolox');
  assert.equal(
    [d.spec.preprocess.pad, d.spec.preprocess.scale, d.spec.preprocess.colorOrder],
    ['top-left', 1, 'BGR'],
  );
  const found = (await d.detect(frame())).toList();
  assert.is(found.length, 1);
  assert.equal(found[0]!.box, [80, 24, 128, 56]);
  assert.ok(Math.abs(found[0]!.score - 0.63) < 1e-6);
  assert.is(found[0]!.classId, 1);
  const feed = fake.feeds[0]!.images! as { data: Float32Array };
  // Channel 0 is blue (BGR) in raw 0–255; rows 32–63 are padding (114).
  assert.equal([feed.data[0], feed.data[64 * 64], feed.data[2 * 64 * 64]], [50, 100, 200]);
  assert.is(feed.data[40 * 64], 114);
  await d.close();
});

test('a YOLOX export decoded in the graph (boxes in pixels) is read as pixels', async () => {
  // cx 32, cy 16, w 20, h 10 → (22, 11, 42, 21) in model pixels; top-left, scale 1/2:
  // (44, 22, 84, 42). Score 0.9 × 0.8 for class 1.
  const fake = yoloxBackend({ index: 5, values: [32, 16, 20, 10, 0.9, 0.2, 0.8] });
  const d = await Detector.open({ ...OPTIONS, backend: fake.backend });
  const found = (await d.detect(frame())).toList();
  assert.equal(
    found.map((f) => [f.box, Math.round(f.score * 1e4) / 1e4, f.classId]),
    [[[44, 22, 84, 42], 0.72, 1]],
  );
  await d.close();
});

test("a descriptor's explicit preprocessing wins over YOLOX's defaults", async () => {
  const fake = yoloxBackend({ index: 5, values: [32, 16, 20, 10, 0.9, 0.2, 0.8] });
  const spec = await resolveModelSpec(fake.backend, {});
  const stated = { pad: 'center', colorOrder: 'RGB', scale: 1 / 255 } as const;
  const yolox = decoders.get('yolox').preprocess;
  const kept = withDecoderPreprocess(spec, yolox, stated).preprocess;
  assert.equal([kept.pad, kept.colorOrder, kept.scale], ['center', 'RGB', 1 / 255]);
  const filled = withDecoderPreprocess(spec, yolox, { colorOrder: 'RGB' }).preprocess;
  assert.equal([filled.pad, filled.colorOrder, filled.scale], ['top-left', 'RGB', 1]);
  // Families without their own preprocessing keep the common defaults.
  const other = withDecoderPreprocess(spec, decoders.get('yolo-anchor-free').preprocess, {});
  assert.equal([other.preprocess.pad, other.preprocess.scale], ['center', 1 / 255]);
});

test('a forced decoder that misreads the outputs refuses: scores outside 0–1', async () => {
  // obj 5 × class 3 = 15: no sigmoid output can say that.
  const fake = yoloxBackend({ index: 5, values: [32, 16, 20, 10, 5, 0.2, 3] });
  const d = await Detector.open({
    ...OPTIONS,
    decoder: 'yolo-anchor-based',
    backend: fake.backend,
  });
  try {
    await d.detect(frame());
    assert.unreachable('garbage scores must be refused');
  } catch (err) {
    const e = err as Error & { code: string; hint: string };
    assert.is(e.code, 'MODEL_INVALID');
    assert.match(e.message, 'the yolo-anchor-based decoder produced a score of 15, outside 0–1');
    assert.match(e.hint, /segmentation export/);
  } finally {
    await d.close();
  }
});

test('class ids beyond the labels are refused, naming where the labels came from', async () => {
  const fake = yoloxBackend(
    { index: 5, values: [32, 16, 20, 10, 0.9, 0.1, 0.8] },
    { names: "{0: 'person'}" },
  );
  const d = await Detector.open({ ...OPTIONS, backend: fake.backend });
  try {
    await d.detect(frame());
    assert.unreachable('a class without a label must be refused');
  } catch (err) {
    assert.match(
      (err as Error).message,
      'the yolox decoder produced class id 1, beyond the 1 labels (model metadata)',
    );
  } finally {
    await d.close();
  }
});

test.run();
