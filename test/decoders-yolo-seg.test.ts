/**
 * YOLO-seg decoders on synthetic ONNX exports (constant outputs through
 * onnxruntime): recognition next to the plain YOLO families, and exact masks
 * from prototype planes that are constant over known rectangles.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseDecoder, decodeDetections } from '../src/models/decoders/index.ts';
import { masksToSource } from '../src/models/letterbox.ts';
import { runConstantModel } from './helpers/onnx-build.ts';

const INPUT = 64;
const GRID = INPUT / 4; // prototypes at stride 4
const P = 32;
const C = 2;
const N = 40; // anchors
const opts = {
  inputWidth: INPUT,
  inputHeight: INPUT,
  confidence: 0.25,
  iou: 0.5,
  maxDetections: 100,
  classAgnostic: false,
};

/** Prototype k is +8 on grid rectangle rects[k] (cells [x0,x1)×[y0,y1)) and -8 elsewhere. */
function protos(rects: Record<number, [number, number, number, number]>): number[] {
  const v = new Array<number>(P * GRID * GRID).fill(-8);
  for (const [k, [x0, y0, x1, y1]] of Object.entries(rects)) {
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) v[+k * GRID * GRID + y * GRID + x] = 8;
  }
  return v;
}

interface Row {
  box: [number, number, number, number];
  cls: number;
  score: number;
  proto: number;
}

/** A v8-seg head [1, 4+C+P, N], channels first; unlisted anchors score 0. */
function v8Head(rows: Row[]): number[] {
  const k = 4 + C + P;
  const v = new Array<number>(k * N).fill(0);
  rows.forEach((r, i) => {
    const [cx, cy, w, h] = r.box;
    [cx, cy, w, h].forEach((x, j) => {
      v[j * N + i] = x;
    });
    v[(4 + r.cls) * N + i] = r.score;
    v[(4 + C + r.proto) * N + i] = 1;
  });
  return v;
}

test('v8-seg and v5-seg shapes choose the -seg decoders, never a plain detector', () => {
  const input = { width: 640, height: 640 };
  const sig = (head: (number | string)[]) => [
    { name: 'output0', dims: head },
    { name: 'output1', dims: [1, 32, 160, 160] },
  ];
  const names = `{${Array.from({ length: 80 }, (_, i) => `${i}: 'c${i}'`).join(', ')}}`;
  assert.is(chooseDecoder(sig([1, 116, 8400]), {}, undefined, input).name, 'yolo-anchor-free-seg');
  assert.is(
    chooseDecoder(sig([1, 116, 8400]), { task: 'segment', names }, undefined, input).name,
    'yolo-anchor-free-seg',
  );
  assert.is(
    chooseDecoder(sig([1, 25200, 117]), {}, undefined, input).name,
    'yolo-anchor-based-seg',
  );
  assert.is(
    chooseDecoder(sig([1, 25200, 117]), { names }, undefined, input).name,
    'yolo-anchor-based-seg',
  );
  // Prototypes not at input / 4 are not a segmentation head.
  assert.throws(() =>
    chooseDecoder(
      [
        { name: 'output0', dims: [1, 116, 8400] },
        { name: 'output1', dims: [1, 32, 80, 80] },
      ],
      {},
      undefined,
      input,
    ),
  );
});

test("yolo-anchor-free-seg: boxes, classes and exact masks; NMS keeps the survivors' masks", async () => {
  const rows: Row[] = [
    // Object A: box 8..40 × 8..40 (input px); its prototype is a band over grid columns 2..6 (px 8..24):
    // a 1-D step, so bilinear sampling crosses 0.5 exactly at the cell boundary.
    { box: [24, 24, 32, 32], cls: 0, score: 0.9, proto: 0 },
    // A duplicate of A, lower score, another prototype: NMS drops it and its mask.
    { box: [25, 24, 32, 32], cls: 0, score: 0.6, proto: 1 },
    // Object B: class 1, box 40..56 × 40..56, prototype over cells 9..15 (px 36..60), beyond its box.
    { box: [48, 48, 16, 16], cls: 1, score: 0.8, proto: 2 },
  ];
  const run = await runConstantModel(
    [
      { name: 'output0', dims: [1, 4 + C + P, N], values: v8Head(rows) },
      {
        name: 'output1',
        dims: [1, P, GRID, GRID],
        values: protos({ 0: [2, 0, 6, 16], 1: [0, 0, 16, 16], 2: [9, 9, 15, 15] }),
      },
    ],
    { input: [1, 3, INPUT, INPUT] },
  );
  const decoder = chooseDecoder(run.signature, {}, undefined, { width: INPUT, height: INPUT });
  assert.is(decoder.name, 'yolo-anchor-free-seg');
  const raw = decodeDetections(decoder, run.tensors, opts);
  assert.equal(Array.from(raw.scores), [0.9, 0.8].map(Math.fround));
  assert.equal(Array.from(raw.classIds), [0, 1]);
  assert.ok(raw.masks?.kind === 'prototypes');
  // Identity geometry: source = model input.
  const t = {
    scaleX: 1,
    scaleY: 1,
    offsetX: 0,
    offsetY: 0,
    sourceWidth: INPUT,
    sourceHeight: INPUT,
  };
  const [a, b] = masksToSource(
    raw.masks!,
    raw.boxes.slice(),
    { width: INPUT, height: INPUT },
    t,
    0.5,
  );
  // A: bitmap over its box 8..40; the object is pixels 8..24 (prototype cells 2..6 × 4 px).
  assert.equal([a!.x, a!.y, a!.width, a!.height], [8, 8, 32, 32]);
  for (let r = 0; r < 32; r++) {
    for (let c = 0; c < 32; c++) {
      const inside = 8 + c < 24;
      assert.is(a!.data[r * 32 + c], inside ? 1 : 0, `A (${c},${r})`);
    }
  }
  // B: the prototype fills its whole box 40..56.
  assert.equal([b!.x, b!.y, b!.width, b!.height], [40, 40, 16, 16]);
  assert.ok(b!.data.every((v) => v === 1));
});

test('yolo-anchor-based-seg: objectness × class, masks from the coefficients after the classes', async () => {
  const k = 5 + C + P;
  const head = new Array<number>(N * k).fill(0);
  // One row: box 16..48 square, objectness 0.9, class 1 at 1.0; prototype 3 is a band over columns 4..8 (px 16..32).
  head.splice(0, 7, 32, 32, 32, 32, 0.9, 0, 1);
  head[5 + C + 3] = 1;
  const run = await runConstantModel(
    [
      { name: 'output0', dims: [1, N, k], values: head },
      { name: 'output1', dims: [1, P, GRID, GRID], values: protos({ 3: [4, 0, 8, 16] }) },
    ],
    { input: [1, 3, INPUT, INPUT] },
  );
  const decoder = chooseDecoder(run.signature, {}, undefined, { width: INPUT, height: INPUT });
  assert.is(decoder.name, 'yolo-anchor-based-seg');
  const raw = decodeDetections(decoder, run.tensors, opts);
  assert.equal(Array.from(raw.classIds), [1]);
  const t = {
    scaleX: 1,
    scaleY: 1,
    offsetX: 0,
    offsetY: 0,
    sourceWidth: INPUT,
    sourceHeight: INPUT,
  };
  const [m] = masksToSource(raw.masks!, raw.boxes.slice(), { width: INPUT, height: INPUT }, t, 0.5);
  assert.equal([m!.x, m!.y, m!.width, m!.height], [16, 16, 32, 32]);
  let area = 0;
  for (let r = 0; r < 32; r++)
    for (let c = 0; c < 32; c++) {
      const inside = c < 16;
      assert.is(m!.data[r * 32 + c], inside ? 1 : 0);
      area += inside ? 1 : 0;
    }
  assert.is(area, 512);
});

test.run();
