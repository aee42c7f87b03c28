/**
 * COCO-style evaluation on small hand-computed cases: each case states its
 * arithmetic, so a failure says which rule (matching, envelope, 101-point sampling,
 * area ranges, crowd, absent classes) went wrong.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateDetections } from '../src/eval/evaluate.ts';
import type { Box, GroundTruth, Prediction } from '../src/eval/types.ts';

const close = (a: number, b: number, what = '') =>
  assert.ok(Math.abs(a - b) < 1e-6, `${what} ${a} ≠ ${b}`);
const gt = (
  imageId: string,
  box: Box,
  extra: Partial<GroundTruth> = {},
  classId = 0,
): GroundTruth => ({
  imageId,
  classId,
  box,
  ...extra,
});
const dt = (imageId: string, box: Box, score: number, classId = 0): Prediction => ({
  imageId,
  classId,
  box,
  score,
});

test('perfect predictions score 1.0 everywhere', () => {
  const g = [
    gt('a', [0, 0, 20, 20]),
    gt('a', [100, 100, 150, 150]),
    gt('b', [0, 0, 200, 200], {}, 1),
  ];
  const p = g.map((x, i) => dt(String(x.imageId), x.box, 0.5 + i / 10, x.classId));
  const r = evaluateDetections(g, p);
  for (const k of [
    'map',
    'map50',
    'map75',
    'mapSmall',
    'mapMedium',
    'mapLarge',
    'mar100',
  ] as const) {
    close(r[k], 1, k);
  }
  // 1 up to COCO's ε in tp / (tp + fp + ε).
  for (const c of r.perClass) close(c.ap, 1, `class ${c.classId}`);
});

/*
 * Hand computation. Three objects: image A has g1 (0,0)-(10,10) and g2 (20,20)-(30,30),
 * image B has g3 (0,0)-(10,10). Detections in score order:
 *   d1 A 0.9 = g1             IoU 1      → TP at every threshold
 *   d2 B 0.8 far away         IoU 0      → FP
 *   d3 A 0.7 (20,20)-(30,31)  IoU 100/110 = 0.909 → TP for t ≤ 0.90, FP at 0.95
 *   d4 B 0.6 (0,0)-(10,12)    IoU 100/120 = 0.833 → TP for t ≤ 0.80, FP at 0.85+
 * t = .50….80 (7 thresholds): TP FP TP TP → recall 1/3,1/3,2/3,1; precision 1,.5,.667,.75;
 *   envelope 1,.75,.75,.75. Recall points 0…0.33 (34 of them) → 1, 0.34…1 (67) → .75:
 *   AP = (34 + 67·.75)/101 = 84.25/101.
 * t = .85, .90: TP FP TP FP → recall 1/3,1/3,2/3,2/3; precision 1,.5,.667,.5; envelope
 *   1,.667,.667,.5. Points 0….33 → 1 (34), .34….66 → 2/3 (33), .67…1 → 0 (34):
 *   AP = (34 + 22)/101 = 56/101.
 * t = .95: TP FP FP FP → recall stays 1/3: AP = 34/101.
 * AP@[.5:.95] = (7·84.25 + 2·56 + 34)/1010 = 735.75/1010.
 */
const handGt = [gt('A', [0, 0, 10, 10]), gt('A', [20, 20, 30, 30]), gt('B', [0, 0, 10, 10])];
const handDt = [
  dt('A', [0, 0, 10, 10], 0.9),
  dt('B', [50, 50, 60, 60], 0.8),
  dt('A', [20, 20, 30, 31], 0.7),
  dt('B', [0, 0, 10, 12], 0.6),
];

test('hand-computed case matches to 1e-6', () => {
  const r = evaluateDetections(handGt, handDt);
  close(r.map50, 84.25 / 101, 'AP50');
  close(r.map75, 84.25 / 101, 'AP75');
  close(r.map, 735.75 / 1010, 'AP');
  // Final recall per threshold: 1 (×7), 2/3 (×2), 1/3 → AR@100 = (7 + 4/3 + 1/3)/10.
  close(r.mar100, (7 + 4 / 3 + 1 / 3) / 10, 'AR100');
  // All boxes are small (< 32²): the small range equals "all"; medium/large have nothing.
  close(r.mapSmall, r.map, 'APs');
  assert.is(r.mapMedium, -1);
  assert.is(r.mapLarge, -1);
});

test('101-point interpolation, not the 11-point VOC07 one', () => {
  // At IoU .5 the 11 recall points 0,.1,.2,.3 → 1 and .4…1 → .75 would give
  // (4 + 7·.75)/11 = 0.8409; COCO's 101 points give 84.25/101 = 0.8342.
  const r = evaluateDetections(handGt, handDt);
  close(r.map50, 84.25 / 101);
  assert.ok(Math.abs(r.map50 - 9.25 / 11) > 1e-3);
});

test('precision envelope: a later, higher precision lifts earlier recall points', () => {
  // TP FP FP TP with 2 objects: raw precision at recall 1/2 is 1, then .5, .33, .5.
  // The envelope makes the point before the last TP .5 (not .33); AP = (51 + 50·.5)/101.
  const g = [gt('a', [0, 0, 10, 10]), gt('a', [20, 0, 30, 10])];
  const p = [
    dt('a', [0, 0, 10, 10], 0.9),
    dt('a', [50, 50, 60, 60], 0.8),
    dt('a', [70, 70, 80, 80], 0.7),
    dt('a', [20, 0, 30, 10], 0.6),
  ];
  close(evaluateDetections(g, p).map50, (51 + 50 * 0.5) / 101);
});

test('precision and recall at a score threshold (IoU .5)', () => {
  // Score ≥ 0.65 keeps d1 (TP), d2 (FP), d3 (TP); g3 is missed.
  const r = evaluateDetections(handGt, handDt, { scoreThreshold: 0.65 });
  assert.equal(
    { tp: r.atThreshold.tp, fp: r.atThreshold.fp, fn: r.atThreshold.fn },
    { tp: 2, fp: 1, fn: 1 },
  );
  close(r.atThreshold.precision, 2 / 3);
  close(r.atThreshold.recall, 2 / 3);
  // Nothing above the threshold: precision undefined (-1), recall 0.
  const none = evaluateDetections(handGt, handDt, { scoreThreshold: 0.99 });
  assert.is(none.atThreshold.precision, -1);
  assert.is(none.atThreshold.recall, 0);
});

test('matchIou sets the IoU of the threshold counts', () => {
  // At IoU .85 d4 (IoU .833) no longer matches: TP d1, d3; FP d2, d4; g3 missed.
  const r = evaluateDetections(handGt, handDt, { scoreThreshold: 0, matchIou: 0.85 });
  const { tp, fp, fn, iou } = r.atThreshold;
  assert.equal({ tp, fp, fn, iou }, { tp: 2, fp: 2, fn: 1, iou: 0.85 });
  // The AP figures do not depend on it.
  close(r.map, 735.75 / 1010);
});

/*
 * Area ranges (ground-truth area; small < 32², medium 32²–96², large > 96²).
 * Objects S 20×20, M 50×50, L 100×100; detections: FP 10×10 (0.95), S exact (0.9),
 * L exact (0.8); M is missed.
 *   all:    FP TP TP, 3 positives → precision envelope 2/3 up to recall 2/3 (67 points) → 67·(2/3)/101
 *   small:  only S counts; the FP (small) counts; L's detection hits an ignored object → ignored:
 *           FP TP → envelope .5 everywhere → .5
 *   medium: only M counts; the FP is outside the range and unmatched → ignored; S, L hit
 *           ignored objects → ignored; M missed → 0
 *   large:  only L counts; FP ignored (outside range), S ignored → TP → 1
 */
test('AP small / medium / large use the ground-truth area ranges', () => {
  const g = [gt('a', [0, 0, 20, 20]), gt('a', [100, 100, 150, 150]), gt('a', [200, 200, 300, 300])];
  const p = [
    dt('a', [400, 400, 410, 410], 0.95),
    dt('a', [0, 0, 20, 20], 0.9),
    dt('a', [200, 200, 300, 300], 0.8),
  ];
  const r = evaluateDetections(g, p);
  close(r.map50, (67 * (2 / 3)) / 101, 'all');
  close(r.mapSmall, 0.5, 'small');
  close(r.mapMedium, 0, 'medium');
  close(r.mapLarge, 1, 'large');
});

test('an explicit area (mask area) decides the range, not the box', () => {
  // A 40×40 box (medium by box) whose mask area is 500 (< 32²) is small.
  const g = [gt('a', [0, 0, 40, 40], { area: 500 })];
  const r = evaluateDetections(g, [dt('a', [0, 0, 40, 40], 0.9)]);
  close(r.mapSmall, 1);
  assert.is(r.mapMedium, -1);
});

/*
 * Crowd regions: detections on them are neither TP nor FP, and overlap with them is
 * intersection over the DETECTION's area. One person (0,0)-(100,100) found at 0.9;
 * three detections inside a crowd region (200,0)-(400,200) are ignored. A detection
 * (150,0)-(250,100) at 0.99 overlaps the crowd by 5000/10000 = 0.5 of its own area
 * (plain IoU would be 0.11): ignored at IoU .5, a false positive above it:
 *   t = .5: TP only → 1;  t ≥ .55: FP TP → .5;  AP = (1 + 9·.5)/10 = .55.
 */
test('crowd regions are ignored, with intersection over detection area', () => {
  const g = [gt('a', [0, 0, 100, 100]), gt('a', [200, 0, 400, 200], { iscrowd: true })];
  const inCrowd = [
    dt('a', [210, 10, 260, 60], 0.95),
    dt('a', [300, 100, 390, 190], 0.8),
    dt('a', [220, 20, 240, 40], 0.7),
  ];
  const found = dt('a', [0, 0, 100, 100], 0.9);
  const r = evaluateDetections(g, [...inCrowd, found]);
  close(r.map, 1, 'crowd detections ignored');
  assert.is(r.perClass[0]!.positives, 1);
  const straddling = dt('a', [150, 0, 250, 100], 0.99);
  const r2 = evaluateDetections(g, [...inCrowd, found, straddling]);
  close(r2.map50, 1, 'AP50');
  close(r2.map, 0.55, 'AP');
  // Without the crowd flag the same detections are false positives.
  const plain = evaluateDetections([g[0]!, { ...g[1]!, iscrowd: false }], [...inCrowd, found]);
  assert.ok(plain.map < 0.9);
});

test('ignored (VOC difficult) objects: hitting them is not an FP, missing them is not an FN', () => {
  const g = [gt('a', [0, 0, 10, 10]), gt('a', [50, 50, 60, 60], { ignore: true })];
  const p = [
    dt('a', [50, 50, 60, 60], 0.95),
    dt('a', [50, 50, 60, 60.2], 0.94),
    dt('a', [0, 0, 10, 10], 0.9),
  ];
  const r = evaluateDetections(g, p, { scoreThreshold: 0 });
  close(r.map, 1);
  assert.equal(
    { tp: r.atThreshold.tp, fp: r.atThreshold.fp, fn: r.atThreshold.fn },
    { tp: 1, fp: 0, fn: 0 },
  );
});

test('a class with no ground truth is absent (-1) and excluded from the mean', () => {
  // Class 0: perfect. Class 3: only false positives, no objects → AP undefined.
  const g = [gt('a', [0, 0, 10, 10])];
  const p = [dt('a', [0, 0, 10, 10], 0.9), dt('a', [50, 50, 60, 60], 0.99, 3)];
  const r = evaluateDetections(g, p, { classIds: [0, 3, 5] });
  assert.equal(
    r.perClass.map((c) => [c.classId, c.ap === -1 ? -1 : Number(c.ap.toFixed(9))]),
    [
      [0, 1],
      [3, -1],
      [5, -1],
    ],
  );
  close(r.map, 1);
  // Its false positives still count at the score threshold.
  assert.is(r.atThreshold.fp, 1);
});

test('no ground truth at all: every mean is -1', () => {
  const r = evaluateDetections([], [dt('a', [0, 0, 1, 1], 0.5)]);
  assert.is(r.map, -1);
  assert.is(r.map50, -1);
  assert.is(r.atThreshold.recall, -1);
});

test('false positives on an image without objects lower AP; maxDetections caps each image', () => {
  const g = [gt('a', [0, 0, 10, 10])];
  const fpElsewhere = evaluateDetections(g, [
    dt('a', [0, 0, 10, 10], 0.5),
    dt('b', [0, 0, 10, 10], 0.9),
  ]);
  close(fpElsewhere.map50, 0.5);
  // With maxDetections 1, only the best detection of image a (an FP) is considered.
  const capped = evaluateDetections(
    g,
    [dt('a', [0, 0, 10, 10], 0.5), dt('a', [30, 30, 40, 40], 0.9)],
    {
      maxDetections: 1,
    },
  );
  close(capped.map50, 0);
});

test('a detection prefers the regular object to an ignored region it overlaps more', () => {
  // The detection overlaps the crowd fully and the object at IoU .64: it still is a TP.
  const g = [gt('a', [0, 0, 10, 10], { iscrowd: true }), gt('a', [0, 0, 10, 8])];
  const r = evaluateDetections(g, [dt('a', [0, 0, 10, 10], 0.9)], { scoreThreshold: 0 });
  assert.is(r.atThreshold.tp, 1);
});

test.run();
