import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateMot, type MotMetrics } from '../src/eval/mot/evaluate-mot.ts';
import { tallyClearMot } from '../src/eval/mot/clear-mot.ts';
import { identityCounts } from '../src/eval/mot/identity.ts';
import { type MotSequence, parseMot } from '../src/eval/mot/mot-file.ts';
import { linearAssignment } from '../src/tracking/linear-assignment.ts';
import { seededRandom } from './helpers/random.ts';

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

/**
 * IDF1 as py-motmetrics states it: a square (G+P)² assignment with a dummy
 * partner per trajectory; pairing gt o with prediction h costs the rows left
 * unexplained, (oc − overlap) + (hc − overlap); o with its dummy costs oc, h
 * with its dummy hc; dummy with dummy 0. Here from the same tallies, to check
 * the reduced (maximum-overlap) form the implementation solves.
 */
function idCountsFullForm(gt: MotSequence, res: MotSequence) {
  const t = tallyClearMot(gt, res, 0.5);
  const gIds = [...t.gtCounts.keys()];
  const pIds = [...t.predCounts.keys()];
  const G = gIds.length;
  const P = pIds.length;
  const n = G + P;
  const fp = new Float64Array(n * n).fill(Number.POSITIVE_INFINITY);
  const fn = new Float64Array(n * n).fill(Number.POSITIVE_INFINITY);
  const overlap = (o: number, h: number) => t.overlaps.get(`${o}\u0000${h}`)?.frames ?? 0;
  for (let r = 0; r < G; r++) {
    const oc = t.gtCounts.get(gIds[r]!)!;
    for (let c = 0; c < P; c++) {
      const hc = t.predCounts.get(pIds[c]!)!;
      const ex = overlap(gIds[r]!, pIds[c]!);
      fp[r * n + c] = hc - ex;
      fn[r * n + c] = oc - ex;
    }
    fp[r * n + P + r] = 0;
    fn[r * n + P + r] = oc;
  }
  for (let c = 0; c < P; c++) {
    fp[(G + c) * n + c] = t.predCounts.get(pIds[c]!)!;
    fn[(G + c) * n + c] = 0;
    for (let r = 0; r < G; r++) {
      fp[(G + c) * n + P + r] = 0;
      fn[(G + c) * n + P + r] = 0;
    }
  }
  const cost = fp.map((v, k) => v + fn[k]!);
  const { rowToCol } = linearAssignment(cost, n, n);
  let idfp = 0;
  let idfn = 0;
  rowToCol.forEach((c, r) => {
    idfp += fp[r * n + c]!;
    idfn += fn[r * n + c]!;
  });
  return { idfp, idfn };
}

test('IDF1: the reduced matching equals py-motmetrics’ full dummy-node form on random sequences', () => {
  const rand = seededRandom(2024);
  for (let trial = 0; trial < 40; trial++) {
    // A few objects on a coarse grid, predicted with random id swaps, misses and extras.
    const gtRows: string[] = [];
    const resRows: string[] = [];
    for (let f = 1; f <= 12; f++) {
      for (let o = 1; o <= 4; o++) {
        if (rand() < 0.15) continue;
        const x = o * 40;
        gtRows.push(row(f, o, x));
        if (rand() < 0.8)
          resRows.push(
            row(f, rand() < 0.2 ? 10 + Math.floor(rand() * 3) : o, x + Math.floor(rand() * 4)),
          );
      }
      if (rand() < 0.3) resRows.push(row(f, 20, 400));
    }
    const gt = parseMot(gtRows.join('\n'), { ignoreZeroConf: true });
    const res = parseMot(resRows.join('\n'), { ignoreZeroConf: false });
    const reduced = identityCounts(tallyClearMot(gt, res, 0.5));
    const full = idCountsFullForm(gt, res);
    assert.equal({ idfp: reduced.idfp, idfn: reduced.idfn }, full, `trial ${trial}`);
  }
});

test.run();
