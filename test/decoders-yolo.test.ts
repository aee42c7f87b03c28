/**
 * YOLO-family decoders against tensors that onnxruntime really returns: each case
 * builds a tiny ONNX model whose outputs are constants in that export's exact
 * layout and names, runs it, lets `chooseDecoder` pick a decoder and decodes.
 */
import { test } from 'uvu';
import { assertRows, decodeFixture, type Row } from './helpers/decode.ts';
import type { FixedOutput } from './helpers/onnx-build.ts';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Rows of `k` values, zero-padded to `n` rows, flattened. */
function rows(k: number, n: number, list: number[][]): number[] {
  const out = new Array<number>(k * n).fill(0);
  list.forEach((r, i) => {
    out.splice(i * k, r.length, ...r);
  });
  return out;
}

// ---------------------------------------------------------------- YOLOv5/v7 [1,N,5+C]
// Three classes, so rows are cx, cy, w, h, obj, c0, c1, c2 (K = 8); 12 rows.
const v5Rows = rows(8, 12, [
  // r0: obj 0.9 × best class c1 0.8 = 0.72; box (80,90)-(120,110)
  [100, 100, 40, 20, 0.9, 0.1, 0.8, 0.1],
  // r1: same class, shifted 2 px (IoU 0.905 with r0): 0.4, suppressed by r0
  [102, 100, 40, 20, 0.8, 0, 0.5, 0],
  // r2: r0's box but class c2, 0.9 × 0.5 = 0.45: kept when class-aware
  [100, 100, 40, 20, 0.9, 0, 0, 0.5],
  // r3: objectness 0.2 < 0.25: skipped before the class scan
  [300, 300, 10, 10, 0.2, 1, 0, 0],
  // r4: 0.5 × 0.4 = 0.2 < 0.25: dropped
  [400, 400, 10, 10, 0.5, 0.4, 0, 0],
  // r5: 1.0 × 0.3 = 0.3, class c0; box (250,375)-(350,425)
  [300, 400, 100, 50, 1, 0.3, 0, 0],
]);
const v5: FixedOutput[] = [{ name: 'output0', dims: [1, 12, 8], values: v5Rows }];
const v5Expected: Row[] = [
  { box: [80, 90, 120, 110], score: 0.72, classId: 1 },
  { box: [80, 90, 120, 110], score: 0.45, classId: 2 },
  { box: [250, 375, 350, 425], score: 0.3, classId: 0 },
];

test('yolo-anchor-based: obj × class score, threshold, class-aware NMS', async () => {
  assertRows(await decodeFixture(v5, 'yolo-anchor-based'), v5Expected);
});

test('yolo-anchor-based: class-agnostic NMS also removes the other-class duplicate', async () => {
  const rowsOut = await decodeFixture(v5, 'yolo-anchor-based', { classAgnostic: true });
  assertRows(rowsOut, [v5Expected[0]!, v5Expected[2]!]);
});

test('yolo-anchor-based: maxDetections keeps the best', async () => {
  assertRows(await decodeFixture(v5, 'yolo-anchor-based', { maxDetections: 1 }), [v5Expected[0]!]);
});

test('yolo-anchor-based: YOLOv5 export with metadata (names) and raw 5-D heads beside it', async () => {
  const out = await decodeFixture(
    [
      ...v5,
      // The raw head of the smallest stride, [1, anchors, H, W, 5+C], ignored.
      { name: '345', dims: [1, 3, 2, 2, 8], values: new Array(96).fill(0) },
    ],
    'yolo-anchor-based',
    {},
    { stride: '32', names: "{0: 'a', 1: 'b', 2: 'c'}" },
  );
  assertRows(out, v5Expected);
});

// ---------------------------------------------------------------- darknet YOLOv3 raw heads
// YOLOv3-tiny-like: two levels on a 64×64 input, 3 anchors, 1 class → 18 channels.
// Level A: 4×4 grid (stride 16); level B: 2×2 grid (stride 32). Every objectness
// logit is -10 (σ ≈ 0) except the two planted detections.
function darknetLevel(
  h: number,
  w: number,
  planted: [number, number, number, number[]][],
): number[] {
  const per = 6;
  const plane = h * w;
  const data = new Array<number>(3 * per * plane).fill(0);
  for (let k = 0; k < 3; k++) for (let i = 0; i < plane; i++) data[(k * per + 4) * plane + i] = -10;
  for (const [k, y, x, values] of planted) {
    values.forEach((v, c) => {
      data[(k * per + c) * plane + y * w + x] = v;
    });
  }
  return data;
}
const darknetAnchors = [
  [10, 10, 20, 20, 30, 30],
  [40, 40, 50, 50, 60, 60],
];
const darknet: FixedOutput[] = [
  // Listed coarse-first on purpose: the decoder orders levels by grid size.
  // B: anchor 2 (60×60) at cell (y0, x1): centre ((0.5+1)·32, (0.5+0)·32) = (48, 16)
  {
    name: 'conv_out_b',
    dims: [1, 18, 2, 2],
    values: darknetLevel(2, 2, [[2, 0, 1, [0, 0, 0, 0, 10, 10]]]),
  },
  // A: anchor 1 (20×20) at cell (y2, x1): centre (24, 40), size (20, 20·e^ln2 = 40)
  {
    name: 'conv_out_a',
    dims: [1, 18, 4, 4],
    values: darknetLevel(4, 4, [[1, 2, 1, [0, 0, 0, Math.LN2, 2, 0]]]),
  },
];

test('yolo-darknet: sigmoid/exp decoding with anchors per level, finest grid first', async () => {
  const out = await decodeFixture(darknet, 'yolo-darknet', {
    inputWidth: 64,
    inputHeight: 64,
    anchors: darknetAnchors,
  });
  assertRows(out, [
    { box: [18, -14, 78, 46], score: sigmoid(10) * sigmoid(10), classId: 0 },
    { box: [14, 20, 34, 60], score: sigmoid(2) * sigmoid(0), classId: 0 },
  ]);
});

test('yolo-darknet: without anchors, two levels use the YOLOv3-tiny anchors', async () => {
  const out = await decodeFixture(darknet, 'yolo-darknet', { inputWidth: 64, inputHeight: 64 });
  // Tiny anchors: level A anchor 1 = (23, 27); level B anchor 2 = (344, 319).
  assertRows(out, [
    { box: [48 - 172, 16 - 159.5, 48 + 172, 16 + 159.5], score: sigmoid(10) ** 2, classId: 0 },
    { box: [24 - 11.5, 40 - 27, 24 + 11.5, 40 + 27], score: sigmoid(2) / 2, classId: 0 },
  ]);
});

// ---------------------------------------------------------------- YOLOX grids
// 64×64 input, strides 8/16/32 → grids 8×8, 4×4, 2×2 → 84 rows of 5 + 2 classes.
// One detection at stride 16, cell (y1, x3) → row 64 + 1·4 + 3 = 71:
// centre ((0.5+3)·16, (0.25+1)·16) = (56, 20), size (e^ln2·16, e^0·16) = (32, 16).
const yoloxValues = new Array<number>(84 * 7).fill(0);
yoloxValues.splice(71 * 7, 7, 0.5, 0.25, Math.LN2, 0, 0.9, 0.2, 0.7);
const yoloxOut: FixedOutput[] = [{ name: 'output', dims: [1, 84, 7], values: yoloxValues }];

test('yolox: grid/stride decoding when chosen with decoder: yolox', async () => {
  const out = await decodeFixture(
    yoloxOut,
    'yolox',
    { inputWidth: 64, inputHeight: 64 },
    {},
    'yolox',
  );
  assertRows(out, [{ box: [40, 12, 72, 28], score: 0.63, classId: 1 }]);
});

test('yolox: chosen from metadata mentioning YOLOX', async () => {
  const out = await decodeFixture(
    yoloxOut,
    'yolox',
    { inputWidth: 64, inputHeight: 64 },
    { description: 'YOLOX-s exported model' },
  );
  assertRows(out, [{ box: [40, 12, 72, 28], score: 0.63, classId: 1 }]);
});

// ---------------------------------------------------------------- YOLOv8/v11 [1,4+C,N]
// Two classes, ten anchors; channel-major: values[c * N + i].
function channelsFirst(k: number, n: number, columns: number[][]): number[] {
  const out = new Array<number>(k * n).fill(0);
  columns.forEach((col, i) => {
    col.forEach((v, c) => {
      out[c * n + i] = v;
    });
  });
  return out;
}
const v8Columns = [
  // a0: box (40,40)-(60,80), best class c1 0.9
  [50, 60, 20, 40, 0.1, 0.9],
  // a1: same box, best class c0 0.6: another class, kept
  [50, 60, 20, 40, 0.6, 0.3],
  // a2: c1 0.5, shifted 1 px: suppressed by a0
  [51, 60, 20, 40, 0.2, 0.5],
  // a3: best 0.2 < 0.25: dropped
  [200, 200, 10, 10, 0.2, 0.1],
];
const v8Expected: Row[] = [
  { box: [40, 40, 60, 80], score: 0.9, classId: 1 },
  { box: [40, 40, 60, 80], score: 0.6, classId: 0 },
];

test('yolo-anchor-free: [1,4+C,N] best class, no objectness, NMS', async () => {
  const out = await decodeFixture(
    [{ name: 'output0', dims: [1, 6, 10], values: channelsFirst(6, 10, v8Columns) }],
    'yolo-anchor-free',
  );
  assertRows(out, v8Expected);
});

test('yolo-anchor-free: transposed [1,N,4+C] accepted when metadata gives the class count', async () => {
  // Three classes (metadata), 400 anchors, rows cx,cy,w,h,c0,c1,c2.
  const values = rows(
    7,
    400,
    v8Columns.map((c) => [...c, 0]),
  );
  const out = await decodeFixture(
    [{ name: 'output0', dims: [1, 400, 7], values }],
    'yolo-anchor-free',
    {},
    { names: "{0: 'a', 1: 'b', 2: 'c'}", author: 'Ultralytics' },
  );
  assertRows(out, v8Expected);
});

// ---------------------------------------------------------------- end-to-end exports
test('yolo-end2end: [1,300,6] rows are final: threshold only, no second NMS', async () => {
  const values = rows(6, 300, [
    // kept as is, even though it overlaps the next one: NMS ran in the graph
    [10, 20, 30, 40, 0.9, 2],
    [10, 20, 30, 40, 0.85, 2],
    // below the threshold
    [5, 5, 6, 6, 0.1, 1],
    [100, 100, 200, 200, 0.5, 0],
  ]);
  const out = await decodeFixture([{ name: 'output0', dims: [1, 300, 6], values }], 'yolo-end2end');
  assertRows(out, [
    { box: [10, 20, 30, 40], score: 0.9, classId: 2 },
    { box: [10, 20, 30, 40], score: 0.85, classId: 2 },
    { box: [100, 100, 200, 200], score: 0.5, classId: 0 },
  ]);
});

test('yolo-end2end: YOLOv7 num_dets/det_boxes/det_scores/det_classes, rows past num_dets ignored', async () => {
  const out = await decodeFixture(
    [
      { name: 'num_dets', dims: [1, 1], type: 'int32', values: [2] },
      {
        name: 'det_boxes',
        dims: [1, 4, 4],
        values: [1, 2, 3, 4, 10, 20, 30, 40, 7, 7, 9, 9, 0, 0, 0, 0],
      },
      { name: 'det_scores', dims: [1, 4], values: [0.8, 0.6, 0.99, 0] },
      { name: 'det_classes', dims: [1, 4], type: 'int32', values: [5, 0, 1, 0] },
    ],
    'yolo-end2end',
  );
  assertRows(out, [
    { box: [1, 2, 3, 4], score: 0.8, classId: 5 },
    { box: [10, 20, 30, 40], score: 0.6, classId: 0 },
  ]);
});

test.run();
