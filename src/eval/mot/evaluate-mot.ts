import { coverage, fragmentations, tallyClearMot } from './clear-mot.ts';
import { identityCounts } from './identity.ts';
import type { MotSequence } from './mot-file.ts';

/** The metrics `framewire eval track` reports (JSON keys as printed with `--json`). */
export interface MotMetrics {
  /** 1 - (FN + FP + IDSW) / numGt. */
  mota: number;
  /** py-motmetrics convention: mean 1 - IoU over matched pairs (lower is better). */
  motp: number;
  /** MOTChallenge devkit convention: mean IoU over matched pairs (= 1 - motp). */
  motpIou: number;
  idf1: number;
  idp: number;
  idr: number;
  recall: number;
  precision: number;
  idSwitches: number;
  fragmentations: number;
  mostlyTracked: number;
  partiallyTracked: number;
  mostlyLost: number;
  falsePositives: number;
  falseNegatives: number;
  numGt: number;
  numPredictions: number;
  /** Matched pairs, switches included. */
  numMatches: number;
  numObjects: number;
  idtp: number;
  idfp: number;
  idfn: number;
  numFrames: number;
  iouThreshold: number;
}

/** Ratios with an empty denominator are 0, not NaN (JSON has no NaN). */
function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}

/** CLEAR-MOT and identity metrics of `results` against `gt`; a match needs IoU ≥ `iouThreshold`. */
export function evaluateMot(gt: MotSequence, results: MotSequence, iouThreshold = 0.5): MotMetrics {
  const t = tallyClearMot(gt, results, iouThreshold);
  const id = identityCounts(t);
  const tp = t.matches + t.switches;
  const motp = ratio(t.distanceSum, tp);
  return {
    mota: t.numGt > 0 ? 1 - (t.misses + t.falsePositives + t.switches) / t.numGt : 0,
    motp,
    motpIou: tp > 0 ? 1 - motp : 0,
    idf1: ratio(2 * id.idtp, t.numGt + t.numPredictions),
    idp: ratio(id.idtp, id.idtp + id.idfp),
    idr: ratio(id.idtp, id.idtp + id.idfn),
    recall: ratio(tp, t.numGt),
    precision: ratio(tp, tp + t.falsePositives),
    idSwitches: t.switches,
    fragmentations: fragmentations(t.history),
    ...coverage(t.history),
    falsePositives: t.falsePositives,
    falseNegatives: t.misses,
    numGt: t.numGt,
    numPredictions: t.numPredictions,
    numMatches: tp,
    numObjects: t.gtCounts.size,
    ...id,
    numFrames: new Set([...gt.keys(), ...results.keys()]).size,
    iouThreshold,
  };
}
