/**
 * COCO's `accumulate` for one class and area range: detections of all images
 * pooled in score order, cumulative TP/FP, precision made monotonically
 * non-increasing (the precision envelope), then sampled at the recall thresholds
 * 0:0.01:1 — the 101-point interpolated precision whose mean is AP.
 */
import { IGNORED, type ImageMatch, MATCHED } from './matching.ts';

/** `np.linspace(0, 1, 101)`, computed the way NumPy does so thresholds are bit-identical. */
export const RECALL_THRESHOLDS: readonly number[] = linspace(0, 1, 101);
/** `np.linspace(.5, .95, 10)`: IoU 0.50, 0.55, …, 0.95. */
export const IOU_THRESHOLDS: readonly number[] = linspace(0.5, 0.95, 10);

export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

export interface Curve {
  /** `precision[t * R + r]`, or undefined when the class has no positives (AP undefined, -1). */
  precision: Float64Array | undefined;
  /** Final recall per IoU threshold (-1 when undefined). */
  recall: Float64Array;
}

export function accumulate(
  matches: readonly ImageMatch[],
  thresholds: number,
  recallThresholds: readonly number[] = RECALL_THRESHOLDS,
): Curve {
  let positives = 0;
  let nd = 0;
  for (const m of matches) {
    positives += m.positives;
    nd += m.scores.length;
  }
  const recall = new Float64Array(thresholds).fill(-1);
  if (positives === 0) return { precision: undefined, recall };
  // Pool every image's detections: which image, which detection, its score.
  const image = new Int32Array(nd);
  const det = new Int32Array(nd);
  const score = new Float64Array(nd);
  let n = 0;
  matches.forEach((m, i) => {
    for (let d = 0; d < m.scores.length; d++, n++) {
      image[n] = i;
      det[n] = d;
      score[n] = m.scores[d]!;
    }
  });
  // Score order; ties keep image order then in-image order (NumPy's stable mergesort).
  const order = Array.from({ length: nd }, (_, i) => i);
  order.sort((p, q) => score[q]! - score[p]! || p - q);
  const R = recallThresholds.length;
  const precision = new Float64Array(thresholds * R);
  const rc = new Float64Array(nd);
  const pr = new Float64Array(nd);
  for (let t = 0; t < thresholds; t++) {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < nd; i++) {
      const k = order[i]!;
      const m = matches[image[k]!]!;
      const f = m.flags[t * m.scores.length + det[k]!]!;
      if (!(f & IGNORED)) {
        if (f & MATCHED) tp++;
        else fp++;
      }
      rc[i] = tp / positives;
      pr[i] = tp / (fp + tp + Number.EPSILON);
    }
    recall[t] = nd ? rc[nd - 1]! : 0;
    // Precision envelope: each point takes the best precision at any higher recall.
    for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
    // First detection reaching each recall threshold (searchsorted, side left); none → 0.
    let i = 0;
    for (let r = 0; r < R; r++) {
      while (i < nd && rc[i]! < recallThresholds[r]!) i++;
      precision[t * R + r] = i < nd ? pr[i]! : 0;
    }
  }
  return { precision, recall };
}

/** Mean of the valid (≥ 0) entries, or -1 when there are none. */
export function meanValid(values: Iterable<number>): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v > -1) {
      sum += v;
      n++;
    }
  }
  return n ? sum / n : -1;
}
