/**
 * Matching of one image's detections to its ground truth for one class, exactly as
 * COCO's `evaluateImg` defines it: detections in score order (top `maxDetections`),
 * each matched to the best still-free ground truth with IoU ≥ the threshold,
 * preferring regular objects over ignored ones; crowd regions may take any number
 * of detections. Detections matched to ignored regions, and unmatched detections
 * outside the area range, are ignored (neither TP nor FP).
 */
import { iouAt } from '../models/nms.ts';
import type { GroundTruth, Prediction } from './types.ts';

export interface AreaRange {
  name: string;
  min: number;
  max: number;
}

/** One image × class × area range, ready to be accumulated. */
export interface ImageMatch {
  /** Scores of the kept detections, best first. */
  scores: Float64Array;
  /** `matched[t * D + d]`: detection d is matched at IoU threshold t. */
  matched: Uint8Array;
  /** `ignored[t * D + d]`: detection d counts neither as TP nor FP at threshold t. */
  ignored: Uint8Array;
  /** Ground truth that must be found (not crowd, not ignored, inside the area range). */
  positives: number;
}

function area(b: readonly number[]): number {
  return Math.max(0, b[2]! - b[0]!) * Math.max(0, b[3]! - b[1]!);
}

/** IoU, or intersection over the detection's area for crowd regions. */
function overlap(dt: readonly number[], gt: GroundTruth): number {
  if (!gt.iscrowd) return iouAt(dt, 0, gt.box, 0);
  const w = Math.min(dt[2]!, gt.box[2]) - Math.max(dt[0]!, gt.box[0]);
  const h = Math.min(dt[3]!, gt.box[3]) - Math.max(dt[1]!, gt.box[1]);
  const a = area(dt);
  return w > 0 && h > 0 && a > 0 ? (w * h) / a : 0;
}

export function matchImage(
  gts: readonly GroundTruth[],
  dts: readonly Prediction[],
  range: AreaRange,
  maxDetections: number,
  iouThresholds: readonly number[],
): ImageMatch | undefined {
  if (gts.length === 0 && dts.length === 0) return undefined;
  const outside = (a: number) => a < range.min || a > range.max;
  // Regular objects first (stable), so a match to one is preferred over an ignored region.
  const gtIgnored = (g: GroundTruth) => !!(g.iscrowd || g.ignore) || outside(g.area ?? area(g.box));
  const gtSorted = [...gts.filter((g) => !gtIgnored(g)), ...gts.filter(gtIgnored)];
  const positives = gts.length - gts.filter(gtIgnored).length;
  const dtSorted = dts
    .map((d, i) => ({ d, i }))
    .sort((p, q) => q.d.score - p.d.score || p.i - q.i)
    .slice(0, maxDetections)
    .map((x) => x.d);
  const G = gtSorted.length;
  const D = dtSorted.length;
  const ious = new Float64Array(D * G);
  for (let d = 0; d < D; d++) {
    for (let g = 0; g < G; g++) ious[d * G + g] = overlap(dtSorted[d]!.box, gtSorted[g]!);
  }
  const ig = gtSorted.map(gtIgnored);
  // Crowd and VOC-difficult regions may absorb any number of detections.
  const multi = gtSorted.map((g) => !!(g.iscrowd || g.ignore));
  const T = iouThresholds.length;
  const matched = new Uint8Array(T * D);
  const ignored = new Uint8Array(T * D);
  const taken = new Uint8Array(G);
  for (let t = 0; t < T; t++) {
    taken.fill(0);
    for (let d = 0; d < D; d++) {
      let best = Math.min(iouThresholds[t]!, 1 - 1e-10);
      let m = -1;
      for (let g = 0; g < G; g++) {
        if (taken[g] && !multi[g]) continue;
        // Already matched a regular object and only ignored regions remain: stop.
        if (m > -1 && !ig[m] && ig[g]) break;
        const v = ious[d * G + g]!;
        if (v < best) continue;
        best = v;
        m = g;
      }
      if (m === -1) {
        if (outside(area(dtSorted[d]!.box))) ignored[t * D + d] = 1;
        continue;
      }
      matched[t * D + d] = 1;
      ignored[t * D + d] = ig[m] ? 1 : 0;
      taken[m] = 1;
    }
  }
  return { scores: Float64Array.from(dtSorted, (d) => d.score), matched, ignored, positives };
}
