import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRandom } from './helpers/random.ts';
import { iou, nms, type NmsOptions } from '../src/models/nms.ts';

const base: NmsOptions = { iou: 0.5, confidence: 0, maxDetections: 100, classAgnostic: false };

function run(
  boxes: number[][],
  scores: number[],
  classIds?: number[],
  opts: Partial<NmsOptions> = {},
): number[] {
  return Array.from(
    nms(
      Float32Array.from(boxes.flat()),
      Float32Array.from(scores),
      Int32Array.from(classIds ?? scores.map(() => 0)),
      { ...base, ...opts },
    ),
  );
}

const iouCases: [string, number[], number[], number][] = [
  // identical boxes overlap fully
  ['identical', [0, 0, 10, 10], [0, 0, 10, 10], 1],
  // half overlap: inter 50, union 150
  ['half shifted', [0, 0, 10, 10], [5, 0, 15, 10], 50 / 150],
  // touching edges share no area
  ['touching', [0, 0, 10, 10], [10, 0, 20, 10], 0],
  // disjoint
  ['disjoint', [0, 0, 1, 1], [5, 5, 6, 6], 0],
  // contained: inter 4, union 100
  ['contained', [0, 0, 10, 10], [2, 2, 4, 4], 4 / 100],
  // zero-area box inside another: 0, not NaN
  ['zero-area inside', [0, 0, 10, 10], [5, 5, 5, 5], 0],
  // two identical zero-area boxes: union 0 would be NaN; defined as 0
  ['both zero-area', [3, 3, 3, 3], [3, 3, 3, 3], 0],
  // inverted box counts as empty
  ['inverted', [10, 10, 0, 0], [0, 0, 10, 10], 0],
];
for (const [name, a, b, expected] of iouCases) {
  test(`iou: ${name}`, () => {
    const v = iou(a, b);
    assert.ok(Math.abs(v - expected) < 1e-9, `${v} ≠ ${expected}`);
    assert.ok(Math.abs(iou(b, a) - expected) < 1e-9, 'symmetric');
  });
}

test('nms: empty input gives an empty Int32Array', () => {
  const keep = nms(new Float32Array(0), new Float32Array(0), new Int32Array(0), base);
  assert.instance(keep, Int32Array);
  assert.is(keep.length, 0);
});

test('nms: keeps the best of an overlapping pair and a distant box, sorted by score', () => {
  // 0 and 1 overlap with IoU 81/119 ≈ 0.68 > 0.5; 2 is far away.
  const keep = run(
    [
      [0, 0, 10, 10],
      [1, 1, 11, 11],
      [50, 50, 60, 60],
    ],
    [0.6, 0.9, 0.7],
  );
  assert.equal(keep, [1, 2]);
});

test('nms: ties keep the lower index first (stable)', () => {
  const keep = run(
    [
      [0, 0, 10, 10],
      [0, 0, 10, 10],
      [20, 20, 30, 30],
      [40, 40, 50, 50],
    ],
    [0.5, 0.5, 0.5, 0.5],
  );
  // 1 duplicates 0 and loses the tie; 2 and 3 stay in index order.
  assert.equal(keep, [0, 2, 3]);
});

test('nms: IoU exactly at the threshold is not suppressed (strictly greater suppresses)', () => {
  // IoU of these two is 50/150 = 1/3.
  const boxes = [
    [0, 0, 10, 10],
    [5, 0, 15, 10],
  ];
  assert.equal(run(boxes, [0.9, 0.8], undefined, { iou: 1 / 3 + 1e-9 }), [0, 1]);
  assert.equal(run(boxes, [0.9, 0.8], undefined, { iou: 0.3 }), [0]);
});

test('nms: zero-area boxes are never suppressed by overlap (IoU 0) and never NaN', () => {
  const keep = run(
    [
      [5, 5, 5, 5],
      [5, 5, 5, 5],
      [0, 0, 10, 10],
    ],
    [0.9, 0.8, 0.7],
  );
  assert.equal(keep, [0, 1, 2]);
});

test('nms: class-aware keeps overlapping boxes of different classes; agnostic does not', () => {
  const boxes = [
    [0, 0, 10, 10],
    [0, 0, 10, 10],
  ];
  assert.equal(run(boxes, [0.9, 0.8], [0, 1]), [0, 1]);
  assert.equal(run(boxes, [0.9, 0.8], [0, 1], { classAgnostic: true }), [0]);
  // Same class: suppressed either way.
  assert.equal(run(boxes, [0.9, 0.8], [2, 2]), [0]);
});

test('nms: a suppressed box does not suppress others (greedy, not transitive)', () => {
  // A overlaps B (IoU 0.6), B overlaps C (0.6), A and C barely overlap (0.2).
  const keep = run(
    [
      [0, 0, 10, 10],
      [2.5, 0, 12.5, 10],
      [6.666, 0, 16.666, 10],
    ],
    [0.9, 0.8, 0.7],
  );
  assert.equal(keep, [0, 2]);
});

test('nms: confidence threshold drops low scores first (inclusive)', () => {
  const boxes = [
    [0, 0, 1, 1],
    [2, 2, 3, 3],
    [4, 4, 5, 5],
  ];
  assert.equal(run(boxes, [0.3, 0.25, 0.2], undefined, { confidence: 0.25 }), [0, 1]);
});

test('nms: maxDetections caps the output at the best ones; 0 keeps none', () => {
  const boxes = Array.from({ length: 5 }, (_, i) => [i * 20, 0, i * 20 + 10, 10]);
  const scores = [0.1, 0.5, 0.3, 0.9, 0.7];
  assert.equal(run(boxes, scores, undefined, { maxDetections: 2 }), [3, 4]);
  assert.equal(run(boxes, scores, undefined, { maxDetections: 0 }), []);
});

test('nms: mismatched array lengths are rejected', () => {
  assert.throws(
    () => nms(new Float32Array(8), new Float32Array(1), new Int32Array(1), base),
    /must agree/,
  );
});

test('nms: of 10 000 random boxes, the kept ones are sorted and no same-class pair is above the threshold', () => {
  const rand = seededRandom(7);
  const n = 10_000;
  const boxes = new Float32Array(n * 4);
  const scores = new Float32Array(n);
  const classIds = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = rand() * 600;
    const y = rand() * 600;
    boxes.set([x, y, x + 10 + rand() * 60, y + 10 + rand() * 60], i * 4);
    scores[i] = rand();
    classIds[i] = Math.floor(rand() * 3);
  }
  const keep = nms(boxes, scores, classIds, { ...base, iou: 0.45, maxDetections: 300 });
  assert.ok(keep.length > 0 && keep.length <= 300);
  for (let a = 0; a < keep.length; a++) {
    for (let b = a + 1; b < keep.length; b++) {
      const i = keep[a]!;
      const j = keep[b]!;
      assert.ok(scores[i]! >= scores[j]!, 'sorted by score');
      if (classIds[i] !== classIds[j]) continue;
      assert.ok(iou(boxes.subarray(i * 4, i * 4 + 4), boxes.subarray(j * 4, j * 4 + 4)) <= 0.45);
    }
  }
});

test.run();
