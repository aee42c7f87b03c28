/**
 * CenterNet (the embedded default model's decoder): 3×3 peak finding, top-K and
 * ltrb boxes, on ORT tensors with the converted model's output names; plus the
 * speed of a full 128×128×80 heatmap.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { centernet, findPeaks } from '../src/models/decoders/centernet.ts';
import { assertRows, decodeFixture, defaultOptions } from './helpers/decode.ts';
import type { FixedOutput } from './helpers/onnx-build.ts';
import { seededRandom } from './helpers/random.ts';

const H = 8;
const W = 8;
const C = 3;
const heat = new Array<number>(H * W * C).fill(0.01);
const wh = new Array<number>(H * W * 4).fill(0);
function plant(y: number, x: number, c: number, v: number, ltrb?: number[]) {
  heat[(y * W + x) * C + c] = v;
  if (ltrb) wh.splice((y * W + x) * 4, 4, ...ltrb);
}
// class 0 peak at (y2,x3); its neighbour (y2,x4) is lower, so not a peak of class 0
plant(2, 3, 0, 0.9, [4, 2, 6, 8]);
plant(2, 4, 0, 0.8);
// class 1 at (y2,x4): other classes do not count as neighbours → a peak
plant(2, 4, 1, 0.7, [1, 1, 1, 1]);
// class 2 in the corner (y0,x0): neighbours clipped at the border
plant(0, 0, 2, 0.5, [0, 0, 3, 3]);
// a plateau: two equal neighbours are both peaks (max-pool equality)
plant(6, 6, 0, 0.6, [2, 2, 2, 2]);
plant(6, 7, 0, 0.6, [2, 2, 2, 2]);
// below the threshold
plant(5, 1, 1, 0.2);

// Output names as the TF.js graph names them, input 32×32 → stride 4.
const outputs: FixedOutput[] = [
  { name: 'tower_0/wh', dims: [1, H, W, 4], values: wh },
  { name: 'tower_0/keypoints', dims: [1, H, W, C], values: heat },
];
const opts = { inputWidth: 32, inputHeight: 32 };
// box = (4x - l, 4y - t, 4x + r, 4y + b)
const expected = [
  {
    box: [12 - 4, 8 - 2, 12 + 6, 8 + 8] as [number, number, number, number],
    score: 0.9,
    classId: 0,
  },
  { box: [15, 7, 17, 9] as [number, number, number, number], score: 0.7, classId: 1 },
  { box: [22, 22, 26, 26] as [number, number, number, number], score: 0.6, classId: 0 },
  { box: [26, 22, 30, 26] as [number, number, number, number], score: 0.6, classId: 0 },
  { box: [0, 0, 3, 3] as [number, number, number, number], score: 0.5, classId: 2 },
];

test('centernet: 3×3 peaks per class, plateaus, borders, ltrb boxes from (4x, 4y)', async () => {
  assertRows(await decodeFixture(outputs, 'centernet', opts), expected);
});

test('centernet: the unused tower_0/detections output does not confuse the choice', async () => {
  const withDetections = [
    ...outputs,
    { name: 'tower_0/detections', dims: [1, 100, 6], values: new Array(600).fill(0) },
  ];
  assertRows(await decodeFixture(withDetections, 'centernet', opts), expected);
});

test('centernet: maxDetections keeps the best peaks (ties: lower index first)', async () => {
  const out = await decodeFixture(outputs, 'centernet', { ...opts, maxDetections: 3 });
  assertRows(out, expected.slice(0, 3));
});

test('centernet: at most 100 detections however many peaks pass', () => {
  // A checkerboard of isolated peaks: 32×32×1 with every other cell high.
  const h = 32;
  const w = 32;
  const data = new Float32Array(h * w);
  for (let y = 0; y < h; y += 2)
    for (let x = 0; x < w; x += 2) data[y * w + x] = 0.5 + (y * w + x) / 1e5;
  const top = findPeaks(data, h, w, 1, 0.25, 100);
  assert.is(top.size, 100);
  const scores = top.order().map((p) => top.scores[p]!);
  assert.ok(scores.every((s, i) => i === 0 || s <= scores[i - 1]!));
});

test('centernet: a full-size 128×128×80 heatmap with hundreds of peaks keeps the top 100', () => {
  const h = 128;
  const w = 128;
  const c = 80;
  const rand = seededRandom(1);
  // Background near 0 after sigmoid, a few hundred blobs above threshold; and
  // uniform noise, where most cells pass the threshold and need the 3×3 test.
  const realistic = new Float32Array(h * w * c);
  for (let i = 0; i < realistic.length; i++) realistic[i] = rand() * 0.05;
  for (let k = 0; k < 300; k++) {
    const i = Math.floor(rand() * h * w) * c + Math.floor(rand() * c);
    realistic[i] = 0.3 + rand() * 0.7;
  }
  const noise = new Float32Array(h * w * c);
  for (let i = 0; i < noise.length; i++) noise[i] = rand();
  const whData = new Float32Array(h * w * 4).fill(8);
  for (const heatmap of [realistic, noise]) {
    const out = centernet.decode(
      [
        { name: 'keypoints', dims: [1, h, w, c], data: heatmap },
        { name: 'wh', dims: [1, h, w, 4], data: whData },
      ],
      { ...defaultOptions, inputWidth: 512, inputHeight: 512, confidence: 0.25 },
    );
    assert.is(out.scores.length, 100);
    // Speed is measured in `npm run bench`, never asserted here.
  }
});

/**
 * The definition, cell by cell: every neighbour of the clipped 3×3 window in the same
 * class is at most the cell, the cell is at least `confidence`; best score first, ties
 * to the lower index; the first k.
 */
function referencePeaks(
  heatmap: Float32Array,
  h: number,
  w: number,
  c: number,
  confidence: number,
  k: number,
): [number, number][] {
  const peaks: [number, number][] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        const v = heatmap[(y * w + x) * c + ch]!;
        if (!(v >= confidence)) continue;
        let peak = true;
        for (let ny = Math.max(0, y - 1); ny <= Math.min(h - 1, y + 1); ny++) {
          for (let nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
            if (heatmap[(ny * w + nx) * c + ch]! > v) peak = false;
          }
        }
        if (peak) peaks.push([(y * w + x) * c + ch, v]);
      }
    }
  }
  peaks.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return peaks.slice(0, k);
}

test('centernet: findPeaks equals the cell-by-cell definition on awkward values', () => {
  const rand = seededRandom(7);
  // Sizes whose cell count is not a multiple of the scan's eight; values that are
  // negative (logits rather than sigmoid), −0, subnormal, exactly the float32 nearest
  // the threshold and its neighbours, and coarse enough for plateaus and ties.
  const sizes = [
    [5, 7, 3],
    [1, 1, 1],
    [3, 1, 5],
    [16, 16, 8],
    [9, 11, 13],
  ] as const;
  for (const confidence of [0.1, 0.3, 0.5, 0, -0.25, 1e-40]) {
    const near = Math.fround(confidence);
    const step = new Float32Array(new Uint32Array([1]).buffer)[0]!;
    const specials = [-0, 0, 1e-42, -1e-42, near, near + Math.abs(near) * 2 ** -23, near - step];
    // Dense: mostly random values; sparse: isolated specials on zeros, so that most
    // blocks of the scan are all below the threshold and each special is a peak.
    for (const [[h, w, c], sparse] of sizes.flatMap((s) => [
      [s, false] as const,
      [s, true] as const,
    ])) {
      const data = new Float32Array(h * w * c);
      for (let i = 0; i < data.length; i++) {
        const r = rand();
        data[i] = sparse
          ? r < 0.04
            ? specials[Math.floor(rand() * specials.length)]!
            : 0
          : r < 0.2
            ? specials[Math.floor(rand() * specials.length)]!
            : r < 0.5
              ? Math.round(rand() * 10) / 10
              : (rand() - 0.3) * 2;
      }
      for (const k of [0, 1, 5, 100]) {
        const top = findPeaks(data, h, w, c, confidence, k);
        const got = top.order().map((p) => [top.indices[p]!, top.scores[p]!]);
        assert.equal(
          got,
          referencePeaks(data, h, w, c, confidence, k),
          `${sparse ? 'sparse' : 'dense'} ${h}×${w}×${c} ≥ ${confidence} k=${k}`,
        );
      }
    }
  }
});

test.run();
