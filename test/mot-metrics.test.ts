import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateMot, type MotMetrics } from '../src/eval/mot/evaluate-mot.ts';
import { parseMot } from '../src/eval/mot/mot-file.ts';

/** A MOT row `frame,id,x,y,w,h,conf,class,visibility` for a 10×10 box at (x, y). */
const row = (frame: number, id: number, x: number, y = 0, conf = 1) =>
  `${frame},${id},${x},${y},10,10,${conf},1,1`;

function evaluate(gtRows: string[], resultRows: string[], iou = 0.5): MotMetrics {
  return evaluateMot(
    parseMot(gtRows.join('\n'), { ignoreZeroConf: true }),
    parseMot(resultRows.join('\n'), { ignoreZeroConf: false }),
    iou,
  );
}

/** Compares the metrics named in `expected` to 1e-9. */
function near(actual: MotMetrics, expected: Partial<MotMetrics>) {
  for (const [k, v] of Object.entries(expected)) {
    const a = actual[k as keyof MotMetrics];
    assert.ok(Math.abs(a - (v as number)) < 1e-9, `${k}: ${a} ≠ ${v}`);
  }
}

test('perfect tracking: every metric at its best', () => {
  // One object, three frames, predicted exactly under id 7.
  const m = evaluate(
    [row(1, 1, 0), row(2, 1, 5), row(3, 1, 10)],
    [row(1, 7, 0), row(2, 7, 5), row(3, 7, 10)],
  );
  near(m, {
    mota: 1,
    motp: 0,
    motpIou: 1,
    idf1: 1,
    idp: 1,
    idr: 1,
    recall: 1,
    precision: 1,
    idSwitches: 0,
    fragmentations: 0,
    mostlyTracked: 1,
    partiallyTracked: 0,
    mostlyLost: 0,
    falsePositives: 0,
    falseNegatives: 0,
    numGt: 3,
  });
});

/*
 * The main hand-made sequence. Ground truth, 10×10 boxes at y = 0:
 *   object 1 at x = 0,   frames 1-6
 *   object 2 at x = 100, frames 1-6
 *   object 3 at x = 200, frames 1-5
 *   object 4 at x = 300, frames 1-5
 * Predictions:
 *   id 1 on object 1 in frames 1, 2, 4 (nothing on it in frame 3)
 *   id 3 on object 1 in frames 5, 6                 → an ID switch in frame 5
 *   id 2 on object 2 in frames 1-6; in frame 2 at x = 102 (IoU 80/120 = 2/3,
 *     distance 1/3), in frame 6 at x = 105 (IoU 50/150 = 1/3 < 0.5: no match)
 *   id 5 on object 3 in frames 1, 2
 *   id 9 alone at x = 500 in frame 5                → a false positive
 *
 * Events per object (T tracked, M missed):
 *   object 1: T T M T T(switch) T  → ratio 5/6 (MT), one fragmentation (T→M at frame 3)
 *   object 2: T T T T T M           → 5/6 (MT); the final miss is no fragmentation
 *   object 3: T T M M M             → 2/5 (PT); no fragmentation (never tracked again)
 *   object 4: M M M M M             → 0 (ML)
 * GT boxes 6+6+5+5 = 22; predictions 3+2+6+2+1 = 14.
 * Matches (with the switch) 5+5+2 = 12; misses 1+1+3+5 = 10; FP = id 9 + id 2 in frame 6 = 2.
 * MOTA = 1 - (10 + 2 + 1) / 22 = 9/22. MOTP = (1/3) / 12 = 1/36; mean IoU 35/36.
 * Recall 12/22, precision 12/14.
 * Identity: overlapping frames (1,id1)=3, (1,id3)=2, (2,id2)=5, (3,id5)=2. Best global
 * pairing 1↔1, 2↔2, 3↔5: IDTP = 3+5+2 = 10, IDFN = 22-10 = 12, IDFP = 14-10 = 4.
 * IDF1 = 2·10/(22+14) = 5/9, IDP = 10/14, IDR = 10/22.
 */
const gt = [1, 2, 3, 4, 5, 6].flatMap((f) => [
  row(f, 1, 0),
  row(f, 2, 100),
  ...(f <= 5 ? [row(f, 3, 200), row(f, 4, 300)] : []),
]);
const results = [
  row(1, 1, 0),
  row(2, 1, 0),
  row(4, 1, 0),
  row(5, 3, 0),
  row(6, 3, 0),
  row(1, 2, 100),
  row(2, 2, 102),
  row(3, 2, 100),
  row(4, 2, 100),
  row(5, 2, 100),
  row(6, 2, 105),
  row(1, 5, 200),
  row(2, 5, 200),
  row(5, 9, 500),
];

test('hand-computed sequence: switch, fragmentation, MT/PT/ML, FP, FN, MOTP, IDF1', () => {
  const m = evaluate(gt, results);
  near(m, {
    mota: 9 / 22,
    motp: 1 / 36,
    motpIou: 35 / 36,
    recall: 12 / 22,
    precision: 12 / 14,
    idSwitches: 1,
    fragmentations: 1,
    mostlyTracked: 2,
    partiallyTracked: 1,
    mostlyLost: 1,
    falsePositives: 2,
    falseNegatives: 10,
    numGt: 22,
    numPredictions: 14,
    numMatches: 12,
    numObjects: 4,
    idtp: 10,
    idfn: 12,
    idfp: 4,
    idf1: 5 / 9,
    idp: 10 / 14,
    idr: 10 / 22,
    numFrames: 6,
    iouThreshold: 0.5,
  });
});

test('a lower IoU threshold turns the frame-6 near miss into a match', () => {
  // --iou 0.3: id 2 at x = 105 (IoU 1/3, distance 2/3) now matches object 2 in frame 6.
  // Matches 13, misses 9, FP 1, switches 1: MOTA = 1 - 11/22 = 1/2.
  // MOTP = (1/3 + 2/3) / 13 = 1/13. Object 2 is tracked all 6 frames.
  // Identity: (2,id2) = 6 frames → IDTP 11, IDF1 = 22/36.
  const m = evaluate(gt, results, 0.3);
  near(m, {
    mota: 0.5,
    motp: 1 / 13,
    falsePositives: 1,
    falseNegatives: 9,
    idSwitches: 1,
    idtp: 11,
    idf1: 22 / 36,
  });
});

test('CLEAR-MOT keeps last frame’s correspondence while it holds, even if another box fits better', () => {
  // Object at x = 0. Frame 1: id 1 at x = 2.5 (IoU 7.5/12.5 = 0.6, distance 0.4).
  // Frame 2: id 1 still there, and id 2 exactly on the object (distance 0). The
  // kept correspondence wins: no switch, id 2 is a false positive.
  // MOTA = 1 - 1/2 = 0.5; MOTP = 0.4. (Plain per-frame optimal matching would switch to id 2.)
  const m = evaluate([row(1, 1, 0), row(2, 1, 0)], [row(1, 1, 2.5), row(2, 1, 2.5), row(2, 2, 0)]);
  near(m, { idSwitches: 0, falsePositives: 1, mota: 0.5, motp: 0.4, fragmentations: 0 });
});

test('a different id after a gap is still a switch (compared with the last match ever)', () => {
  // Object tracked by id 1 in frame 1, missed in frame 2, found by id 2 in frame 3.
  // Events T M T(switch): 1 switch, 1 fragmentation, 1 miss. MOTA = 1 - (1 + 1)/3 = 1/3.
  // Identity: id1 1 frame, id2 1 frame: IDTP 1, IDF1 = 2/(3+2) = 0.4.
  const m = evaluate([row(1, 1, 0), row(2, 1, 0), row(3, 1, 0)], [row(1, 1, 0), row(3, 2, 0)]);
  near(m, { idSwitches: 1, fragmentations: 1, falseNegatives: 1, mota: 1 / 3, idf1: 0.4 });
});

test('the same id after a gap is no switch, but a fragmentation', () => {
  // T M T with id 1 both times: 0 switches, 1 fragmentation. MOTA = 1 - 1/3 = 2/3.
  const m = evaluate([row(1, 1, 0), row(2, 1, 0), row(3, 1, 0)], [row(1, 1, 0), row(3, 1, 0)]);
  near(m, { idSwitches: 0, fragmentations: 1, mota: 2 / 3, idf1: (2 * 2) / (3 + 2) });
});

test('two ids swapping objects: two switches', () => {
  // Objects A (x = 0) and B (x = 100); ids 1/2 follow them in frame 1 and swap in frame 2.
  // Frame 2: both previous correspondences fail (IoU 0); the assignment matches A↔2, B↔1:
  // two switches. MOTA = 1 - 2/4 = 0.5. Identity: IDTP 2 (either pairing), IDF1 = 4/8.
  const m = evaluate(
    [row(1, 1, 0), row(1, 2, 100), row(2, 1, 0), row(2, 2, 100)],
    [row(1, 1, 0), row(1, 2, 100), row(2, 2, 0), row(2, 1, 100)],
  );
  near(m, { idSwitches: 2, mota: 0.5, idf1: 0.5, mostlyTracked: 2 });
});

test('ground-truth rows with conf 0 are ignored; result rows keep any conf', () => {
  // The GT row at frame 2 is flagged 0 (ignore): the empty frame 2 is no miss.
  // The result row with conf 0 still counts as a prediction (and here an FP).
  const m = evaluate([row(1, 1, 0), row(2, 1, 0, 0, 0)], [row(1, 1, 0), row(2, 1, 50, 0, 0)]);
  near(m, { numGt: 1, falseNegatives: 0, falsePositives: 1, mota: 0 });
});

test('empty inputs give zeros, never NaN', () => {
  const m = evaluate([], []);
  for (const [k, v] of Object.entries(m)) assert.ok(Number.isFinite(v), `${k} = ${v}`);
  near(m, { mota: 0, idf1: 0, numGt: 0 });
});

/*
 * IDF1 needs the best pairing over the whole sequence, not the greedy one. Each
 * case lists the frames each (ground truth, prediction) pair overlaps (IoU ≥ 0.5;
 * here always an exact hit), every pairing that can be made (each trajectory at
 * most once), and the counts by hand: IDTP = the best pairing's overlap frames,
 * IDFN = GT rows − IDTP, IDFP = predicted rows − IDTP, IDF1 = 2·IDTP/(GT + pred rows).
 */
const identityCases = [
  {
    // A (x = 0) and B (x = 100) in frames 1-5: 10 GT rows.
    // h1 on A in frames 1-3, then on B in frames 4-5; h2 on A in frames 4-5: 7 rows.
    // Overlaps: A–h1 3, B–h1 2, A–h2 2, B–h2 0.
    // Pairings: {A–h1, B–h2} = 3 + 0 = 3 (the greedy one: A–h1 is the largest overlap);
    //           {A–h2, B–h1} = 2 + 2 = 4 ← best.
    // IDTP 4, IDFN 10 − 4 = 6, IDFP 7 − 4 = 3; IDF1 = 8/17, IDP = 4/7, IDR = 4/10.
    name: 'the best pairing is not the greedy one',
    gt: [1, 2, 3, 4, 5].flatMap((f) => [row(f, 1, 0), row(f, 2, 100)]),
    res: [
      ...[1, 2, 3].map((f) => row(f, 1, 0)),
      ...[4, 5].map((f) => row(f, 1, 100)),
      ...[4, 5].map((f) => row(f, 2, 0)),
    ],
    expected: { idtp: 4, idfn: 6, idfp: 3, idf1: 8 / 17, idp: 4 / 7, idr: 4 / 10 },
  },
  {
    // A (x = 0) in frames 1-2, B (x = 100) in frames 3-6, C (x = 200) in frames 7-9: 9 GT rows.
    // h1 on A in frames 1-2 and on B in 3-4; h2 on B in 5-6 and on C in 7-9: 9 rows.
    // Overlaps: A–h1 2, B–h1 2, B–h2 2, C–h2 3 (all others 0).
    // Pairings: {A–h1, B–h2} = 4; {A–h1, C–h2} = 5; {B–h1, C–h2} = 5; one pair only ≤ 3.
    // Best 5, one GT trajectory left unpaired: IDTP 5, IDFN 4, IDFP 4; IDF1 = 10/18.
    name: 'more trajectories than pairs: one is left unpaired',
    gt: [
      ...[1, 2].map((f) => row(f, 1, 0)),
      ...[3, 4, 5, 6].map((f) => row(f, 2, 100)),
      ...[7, 8, 9].map((f) => row(f, 3, 200)),
    ],
    res: [
      ...[1, 2].map((f) => row(f, 1, 0)),
      ...[3, 4].map((f) => row(f, 1, 100)),
      ...[5, 6].map((f) => row(f, 2, 100)),
      ...[7, 8, 9].map((f) => row(f, 2, 200)),
    ],
    expected: { idtp: 5, idfn: 4, idfp: 4, idf1: 10 / 18, idp: 5 / 9, idr: 5 / 9 },
  },
  {
    // A (x = 0) in frames 1-4: 4 GT rows. h1 on A in frames 1-2, h2 on A in 3-4, and
    // h3 alone at x = 500 in frames 1-4 (never overlaps): 8 rows.
    // Overlaps: A–h1 2, A–h2 2. Pairings: {A–h1} = 2, {A–h2} = 2, {A–h3} = 0.
    // IDTP 2, IDFN 2, IDFP 6; IDF1 = 4/12 = 1/3, IDP = 2/8, IDR = 2/4.
    name: 'a prediction that never overlaps is all IDFP',
    gt: [1, 2, 3, 4].map((f) => row(f, 1, 0)),
    res: [
      ...[1, 2].map((f) => row(f, 1, 0)),
      ...[3, 4].map((f) => row(f, 2, 0)),
      ...[1, 2, 3, 4].map((f) => row(f, 3, 500)),
    ],
    expected: { idtp: 2, idfn: 2, idfp: 6, idf1: 1 / 3, idp: 2 / 8, idr: 2 / 4 },
  },
];

for (const c of identityCases) {
  test(`IDF1, hand-computed: ${c.name}`, () => {
    near(evaluate(c.gt, c.res), c.expected);
  });
}

test.run();
