/**
 * NanoDet (GFL heads, per level or merged as in NanoDet-Plus) and
 * Yolo-FastestV2 (one 2-D output without a batch dimension), recognised from
 * their shapes at the model's input size and decoded through a real
 * onnxruntime session. Expected boxes are computed by hand in the comments.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseDecoder, decodeDetections, decoders } from '../src/models/decoders/index.ts';
import { nanodetPlusRows } from '../src/models/decoders/nanodet.ts';
import { yoloFastestRows } from '../src/models/decoders/yolo-fastest.ts';
import { resolveModelSpec, withDecoderPreprocess } from '../src/models/model-spec.ts';
import type { InferenceBackend } from '../src/models/session.ts';
import { assertRows, defaultOptions, toRows } from './helpers/decode.ts';
import { type FixedOutput, runConstantModel } from './helpers/onnx-build.ts';

/** Chooses the decoder as the detector does (input size known) and decodes. */
async function decodeAt(size: number, outputs: FixedOutput[], expectDecoder: string) {
  const run = await runConstantModel(outputs, { input: [1, 3, 8, 8] });
  const input = { width: size, height: size };
  const decoder = chooseDecoder(run.signature, {}, undefined, input);
  assert.is(decoder.name, expectDecoder);
  const opts = { ...defaultOptions, inputWidth: size, inputHeight: size };
  return toRows(decodeDetections(decoder, run.tensors, opts));
}

/** A `[1, rows, width]` output of zeros with some rows set. */
function output(name: string, rows: number, width: number, set: Record<number, number[]> = {}) {
  const values = new Array<number>(rows * width).fill(0);
  for (const [row, v] of Object.entries(set)) values.splice(Number(row) * width, v.length, ...v);
  return { name, dims: [1, rows, width], values };
}

const BIG = 100; // a logit whose softmax is 1 to float precision

test('NanoDet per level: paired by row count, centre points, softmax expectation × stride', async () => {
  // 32² input: strides 8, 16, 32 have 4², 2², 1² cells. Two classes; reg_max 1 (2 bins).
  // Stride 8, cell 5 = (x 1, y 1): centre (1.5·8, 1.5·8) = (12, 12). Sides: left bins
  // [0, 0] → E 0.5 → 4; top [ln 3, 0] → softmax [0.75, 0.25] → E 0.25 → 2; right
  // [0, ln 3] → E 0.75 → 6; bottom [0, BIG] → E 1 → 8. Box (8, 10, 18, 20), class 1, 0.8.
  const ln3 = Math.log(3);
  const rows = await decodeAt(
    32,
    [
      output('792', 16, 2, { 5: [0.1, 0.8] }),
      output('795', 16, 8, { 5: [0, 0, ln3, 0, 0, ln3, 0, BIG] }),
      output('814', 4, 2),
      output('817', 4, 8),
      output('836', 1, 2),
      output('839', 1, 8),
    ],
    'nanodet',
  );
  assertRows(rows, [{ box: [8, 10, 18, 20], score: 0.8, classId: 1 }]);
});

test('NanoDet per level with logit scores: the sigmoid is applied', async () => {
  // sigmoid(ln 4) = 0.8; background logits −10 (sigmoid 4.5e-5, below the threshold).
  const ln4 = Math.log(4);
  const background = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [i, [-10, -10]]));
  const rows = await decodeAt(
    32,
    [
      output('cls8', 16, 2, { ...background(16), 5: [-10, ln4] }),
      output('reg8', 16, 8, { 5: [0, 0, 0, 0, 0, 0, 0, 0] }),
      output('cls16', 4, 2, background(4)),
      output('reg16', 4, 8),
      output('cls32', 1, 2, background(1)),
      output('reg32', 1, 8),
    ],
    'nanodet',
  );
  // Uniform bins: every side 0.5 · 8 = 4 from (12, 12).
  assertRows(rows, [{ box: [8, 8, 16, 16], score: 0.8, classId: 1 }]);
});

test('NanoDet-Plus merged output: strides 8–64, corner points, reg_max 7', async () => {
  // 64² input: 8² + 4² + 2² + 1² = 85 rows of 2 classes + 4·8 bins.
  assert.is(nanodetPlusRows({ width: 64, height: 64 }), 85);
  assert.is(nanodetPlusRows({ width: 320, height: 320 }), 2125);
  // Row 69 = stride 16, cell 5 = (x 1, y 1): point (16, 16). Peaked bins: left at 1
  // (16), top at 0 (0), right at 2 (32), bottom at 1 (16) → (0, 16, 48, 32); class 0, 0.9.
  const peak = (i: number) => Array.from({ length: 8 }, (_, j) => (j === i ? BIG : 0));
  const rows = await decodeAt(
    64,
    [output('output', 85, 34, { 69: [0.9, 0.3, ...peak(1), ...peak(0), ...peak(2), ...peak(1)] })],
    'nanodet',
  );
  assertRows(rows, [{ box: [0, 16, 48, 32], score: 0.9, classId: 0 }]);
});

test('Yolo-FastestV2: a 2-D [N, 15+C] output read as batch 1, three anchors per cell', async () => {
  // 64² input: strides 16 and 32 give 4² + 2² = 20 rows; 2 classes → 17 values.
  assert.is(yoloFastestRows({ width: 352, height: 352 }), 605);
  // Row 18 = stride 32, cell 2 = (x 0, y 1); anchor 1 of that level is (131.57, 214.55).
  // t = (0.5, 0.25, 0.5, 0.25): centre ((1 − 0.5) + 0)·32 = 16, ((0.5 − 0.5) + 1)·32 = 32;
  // size (1)²·131.57 = 131.57, (0.5)²·214.55 = 53.6375 → (−49.785, 5.18125, 81.785,
  // 58.81875). Score: objectness 0.9 × class 1's 0.7 = 0.63.
  const values = new Array<number>(20 * 17).fill(0);
  values.splice(18 * 17, 17, 0, 0, 0, 0, 0.5, 0.25, 0.5, 0.25, 0, 0, 0, 0, 0, 0.9, 0, 0.2, 0.7);
  const rows = await decodeAt(64, [{ name: 'output', dims: [20, 17], values }], 'yolo-fastest');
  assertRows(rows, [{ box: [-49.785, 5.18125, 81.785, 58.81875], score: 0.63, classId: 1 }]);
});

test('a 2-D YOLOv5 head without batch ([N, 5+C]) is read as [1, N, 5+C]', async () => {
  // 64² input, YOLOv5: 3 anchors per cell → 3·84 = 252 rows; one row in pixels.
  const values = new Array<number>(252 * 7).fill(0);
  values.splice(10 * 7, 7, 32, 32, 20, 10, 0.9, 0.5, 1);
  const rows = await decodeAt(
    64,
    [{ name: 'output', dims: [252, 7], values }],
    'yolo-anchor-based',
  );
  assertRows(rows, [{ box: [22, 27, 42, 37], score: 0.9, classId: 1 }]);
});

test("a recognised NanoDet gets NanoDet's normalization where the descriptor is silent", async () => {
  const backend = {
    inputs: [{ name: 'data', dims: [1, 3, 320, 320], type: 'float32' }],
    outputs: [],
    metadata: {},
    provider: 'fake',
    run: async () => [],
    close: async () => {},
  } as unknown as InferenceBackend;
  const spec = await resolveModelSpec(backend, {});
  const p = withDecoderPreprocess(spec, decoders.get('nanodet').preprocess, {}).preprocess;
  // B, G, R means 103.53, 116.28, 123.675 and stds 57.375, 57.12, 58.395, listed in RGB order.
  assert.equal(
    [p.colorOrder, p.scale, p.mean, p.std],
    ['BGR', 1, [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]],
  );
  const stated = { mean: [1, 2, 3] };
  const ownSpec = await resolveModelSpec(backend, stated);
  const own = withDecoderPreprocess(ownSpec, decoders.get('nanodet').preprocess, stated);
  assert.equal(own.preprocess.mean, [1, 2, 3]);
  assert.equal(own.preprocess.std, [58.395, 57.12, 57.375]);
});

test.run();
