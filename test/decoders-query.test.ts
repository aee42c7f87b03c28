/**
 * Post-processed and query-based detectors: torchvision R-CNN family, DETR,
 * RT-DETR (both export forms) and the single-object two-head model, on ORT tensors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COCO80_TO_91, coco91To80 } from '../src/models/coco-ids.ts';
import { assertRows, decodeFixture } from './helpers/decode.ts';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

// ---------------------------------------------------------------- torchvision
const tvBoxes = [10, 20, 110, 220, 5, 5, 50, 50, 0, 0, 1, 1];
const tvExpected = [
  // label 1 = person (91-index id, passed through)
  { box: [10, 20, 110, 220] as [number, number, number, number], score: 0.99, classId: 1 },
  // label 18 = dog
  { box: [5, 5, 50, 50] as [number, number, number, number], score: 0.7, classId: 18 },
];

test('torchvision: boxes [N,4] pixels, labels int64, scores; 91-index labels pass through', async () => {
  const out = await decodeFixture(
    [
      { name: 'boxes', dims: [3, 4], declared: ['N', 4], values: tvBoxes },
      { name: 'labels', dims: [3], declared: ['N'], type: 'int64', values: [1, 18, 3] },
      // the third scores 0.1 < 0.25
      { name: 'scores', dims: [3], declared: ['N'], values: [0.99, 0.7, 0.1] },
    ],
    'torchvision',
  );
  assertRows(out, tvExpected);
});

test('torchvision: Mask R-CNN (extra masks output) decodes the same boxes', async () => {
  const out = await decodeFixture(
    [
      { name: 'boxes', dims: [3, 4], values: tvBoxes },
      { name: 'labels', dims: [3], type: 'int64', values: [1, 18, 3] },
      { name: 'scores', dims: [3], values: [0.99, 0.7, 0.1] },
      { name: 'masks', dims: [3, 1, 4, 4], values: new Array(48).fill(0.5) },
    ],
    'torchvision',
  );
  assertRows(out, tvExpected);
});

test('torchvision: zero detections (dynamic N = 0) decode to nothing', async () => {
  const out = await decodeFixture(
    [
      { name: 'boxes', dims: [0, 4], values: [] },
      { name: 'labels', dims: [0], type: 'int64', values: [] },
      { name: 'scores', dims: [0], values: [] },
    ],
    'torchvision',
  );
  assert.equal(out, []);
});

test('coco ids: 91-index category ids map to the contiguous 80 and back', () => {
  assert.is(COCO80_TO_91.length, 80);
  assert.is(coco91To80(1), 0); // person
  assert.is(coco91To80(18), 16); // dog
  assert.is(coco91To80(90), 79); // toothbrush
  assert.is(coco91To80(0), -1); // background
  assert.is(coco91To80(12), -1); // an unused id
  COCO80_TO_91.forEach((id, i) => {
    assert.is(coco91To80(id), i);
  });
});

// ---------------------------------------------------------------- DETR
// 3 queries, 91 classes + "no object" (92 logits), input 800×600.
const detrLogits = new Array<number>(3 * 92).fill(0);
detrLogits[0 * 92 + 1] = 8; // q0: person, confident
detrLogits[1 * 92 + 91] = 9; // q1: "no object" wins; its best real class is tiny
detrLogits[1 * 92 + 5] = 1;
detrLogits[2 * 92 + 17] = 5; // q2: cat, moderately confident
const q0 = softmax(detrLogits.slice(0, 92));
const q2 = softmax(detrLogits.slice(184, 276));

test('detr: softmax with the last class as no-object; normalized cxcywh boxes', async () => {
  const out = await decodeFixture(
    [
      { name: 'pred_logits', dims: [1, 3, 92], values: detrLogits },
      {
        name: 'pred_boxes',
        dims: [1, 3, 4],
        // q0 centre (0.5,0.5) size (0.25,0.5) → (300,150)-(500,450)
        values: [0.5, 0.5, 0.25, 0.5, 0.1, 0.1, 0.1, 0.1, 0.25, 0.75, 0.5, 0.5],
      },
    ],
    'detr',
    { inputWidth: 800, inputHeight: 600 },
  );
  assertRows(out, [
    { box: [300, 150, 500, 450], score: q0[1]!, classId: 1 },
    { box: [0, 300, 400, 600], score: q2[17]!, classId: 17 },
  ]);
});

// ---------------------------------------------------------------- RT-DETR
test('rt-detr: Ultralytics [1,300,4+C] with sigmoid scores, normalized boxes', async () => {
  const values = new Array<number>(300 * 84).fill(0);
  // q0: box centre (0.5,0.25) size (0.5,0.5) on 640² → (160,0)-(480,320), class 2 at 0.8
  values.splice(0, 7, 0.5, 0.25, 0.5, 0.5, 0.1, 0.2, 0.8);
  // q5: class 79 at 0.3
  values.splice(5 * 84, 4, 0.5, 0.5, 0.1, 0.1);
  values[5 * 84 + 4 + 79] = 0.3;
  const out = await decodeFixture(
    [{ name: 'output0', dims: [1, 300, 84], values }],
    'rt-detr',
    {},
    { description: 'Ultralytics RT-DETR-l model trained on coco.yaml', names: '{0: "person"}' },
  );
  assertRows(out, [
    { box: [160, 0, 480, 320], score: 0.8, classId: 2 },
    { box: [288, 288, 352, 352], score: 0.3, classId: 79 },
  ]);
});

test('rt-detr: logits [1,Q,C] (sigmoid applied by the decoder) + pred_boxes', async () => {
  const logits = new Array<number>(2 * 80).fill(-9);
  logits[7] = 2; // q0: class 7 at σ(2)
  logits[80 + 3] = -3; // q1: σ(-3) ≈ 0.047 < 0.25
  const out = await decodeFixture(
    [
      { name: 'logits', dims: [1, 2, 80], values: logits },
      { name: 'pred_boxes', dims: [1, 2, 4], values: [0.5, 0.5, 1, 1, 0.5, 0.5, 0.2, 0.2] },
    ],
    'rt-detr',
  );
  assertRows(out, [{ box: [0, 0, 640, 640], score: sigmoid(2), classId: 7 }]);
});

// ---------------------------------------------------------------- single object
test('single-object: [1,4] normalized xyxy + [1,C] logits → one softmax-scored box', async () => {
  const out = await decodeFixture(
    [
      { name: 'bbox', dims: [1, 4], values: [0.25, 0.5, 0.75, 1] },
      { name: 'class_logits', dims: [1, 3], values: [0, 2, 1] },
    ],
    'single-object',
    { inputWidth: 200, inputHeight: 100 },
  );
  assertRows(out, [{ box: [50, 50, 150, 100], score: softmax([0, 2, 1])[1]!, classId: 1 }]);
});

test('single-object: probabilities used as they are; boxFormat cxcywh in pixels', async () => {
  const out = await decodeFixture(
    [
      { name: 'dense_box', dims: [1, 4], values: [100, 50, 40, 20] },
      { name: 'dense_cls', dims: [1, 2], values: [0.3, 0.7] },
    ],
    'single-object',
    { boxFormat: 'cxcywh' },
  );
  assertRows(out, [{ box: [80, 40, 120, 60], score: 0.7, classId: 1 }]);
});

test('single-object: below the threshold gives no detection', async () => {
  const out = await decodeFixture(
    [
      { name: 'bbox', dims: [1, 4], values: [0, 0, 1, 1] },
      { name: 'probs', dims: [1, 5], values: [0.2, 0.2, 0.2, 0.2, 0.2] },
    ],
    'single-object',
  );
  assert.equal(out, []);
});

test.run();
