/**
 * Matching of one image's detections to its ground truth for one class, exactly as
 * COCO's `evaluateImg` defines it: detections in score order (top `maxDetections`),
 * each matched to the best still-free ground truth with IoU ≥ the threshold,
 * preferring regular objects over ignored ones; crowd regions may take any number
 * of detections. Detections matched to ignored regions, and unmatched detections
 * outside the area range, are ignored (neither TP nor FP).
 *
 * Split in two so the IoU matrix and the score order are computed once per image
 * and class, then reused for every area range. Hot path of evaluation: typed
 * arrays, no closures.
 */
import { iouAt } from '../models/nms.ts';
import { maskIou, runsArea, runsSpan } from './mask-runs.ts';
import type { GroundTruth, Prediction } from './types.ts';

/** What overlap means: of boxes, or of masks (COCO's `iouType` "bbox" / "segm"). */
export type IouType = 'bbox' | 'segm';

export interface AreaRange {
  name: string;
  min: number;
  max: number;
}

/** One image × class, before the area range is applied. */
export interface PreparedImage {
  /** Kept detections' scores, best first. */
  scores: Float64Array;
  dtArea: Float64Array;
  gtArea: Float64Array;
  /** Crowd or ignored regions: never positives, may absorb any number of detections. */
  gtMulti: Uint8Array;
  /** `ious[d * G + g]` (of boxes or masks); for crowd regions, intersection over the detection's area. */
  ious: Float64Array;
}

/** `flags[t * D + d]` bits: detection d at IoU threshold t is matched / ignored. */
export const MATCHED = 1;
export const IGNORED = 2;

/** One image × class × area range, ready to be accumulated. */
export interface ImageMatch {
  scores: Float64Array;
  /** `MATCHED | IGNORED` bits per threshold and detection; ignored ones are neither TP nor FP. */
  flags: Uint8Array;
  /** Ground truth that must be found (not crowd, not ignored, inside the area range). */
  positives: number;
}

function boxArea(b: readonly number[]): number {
  return Math.max(0, b[2]! - b[0]!) * Math.max(0, b[3]! - b[1]!);
}

function byScore(a: Prediction, b: Prediction): number {
  return b.score - a.score;
}

/** For `segm`, every ground truth and prediction must carry a mask (the caller checks). */
export function prepareImage(
  gts: readonly GroundTruth[],
  dts: readonly Prediction[],
  maxDetections: number,
  iouType: IouType = 'bbox',
): PreparedImage | undefined {
  if (gts.length === 0 && dts.length === 0) return undefined;
  // Array.prototype.sort is stable: equal scores keep their input order, as NumPy's mergesort.
  const kept = [...dts].sort(byScore).slice(0, Math.max(0, maxDetections));
  const D = kept.length;
  const G = gts.length;
  const scores = new Float64Array(D);
  const dtArea = new Float64Array(D);
  const gtArea = new Float64Array(G);
  const gtMulti = new Uint8Array(G);
  const ious = new Float64Array(D * G);
  for (let g = 0; g < G; g++) {
    const gt = gts[g]!;
    gtArea[g] = gt.area ?? boxArea(gt.box);
    gtMulti[g] = gt.iscrowd || gt.ignore ? 1 : 0;
  }
  if (iouType === 'segm') {
    maskOverlaps(gts, kept, { scores, dtArea, gtArea, ious });
    return { scores, dtArea, gtArea, gtMulti, ious };
  }
  for (let d = 0; d < D; d++) {
    const box = kept[d]!.box;
    scores[d] = kept[d]!.score;
    dtArea[d] = boxArea(box);
    for (let g = 0; g < G; g++) {
      const gt = gts[g]!;
      if (!gt.iscrowd) {
        ious[d * G + g] = iouAt(box, 0, gt.box, 0);
        continue;
      }
      const w = Math.min(box[2], gt.box[2]) - Math.max(box[0], gt.box[0]);
      const h = Math.min(box[3], gt.box[3]) - Math.max(box[1], gt.box[1]);
      ious[d * G + g] = w > 0 && h > 0 && dtArea[d]! > 0 ? (w * h) / dtArea[d]! : 0;
    }
  }
  return { scores, dtArea, gtArea, gtMulti, ious };
}

/** COCO segm: areas are mask pixels (the ground truth's stored `area` wins), IoU of masks. */
function maskOverlaps(
  gts: readonly GroundTruth[],
  kept: readonly Prediction[],
  out: Pick<PreparedImage, 'scores' | 'dtArea' | 'gtArea' | 'ious'>,
): void {
  const G = gts.length;
  const gtPixels = gts.map((g) => runsArea(g.mask!));
  const gtSpans = gts.map((g) => runsSpan(g.mask!));
  for (let g = 0; g < G; g++) out.gtArea[g] = gts[g]!.area ?? gtPixels[g]!;
  for (let d = 0; d < kept.length; d++) {
    const dt = kept[d]!;
    out.scores[d] = dt.score;
    const area = runsArea(dt.mask!);
    out.dtArea[d] = area;
    const [start, end] = runsSpan(dt.mask!);
    for (let g = 0; g < G; g++) {
      const gt = gts[g]!;
      const span = gtSpans[g]!;
      // Masks far apart (most pairs) overlap by 0 without walking their runs.
      if (end <= span[0] || span[1] <= start) continue;
      out.ious[d * G + g] = maskIou(dt.mask!, gt.mask!, !!gt.iscrowd, area, gtPixels[g]);
    }
  }
}

let scratch = new Int32Array(64);

export function matchArea(
  p: PreparedImage,
  range: AreaRange,
  iouThresholds: readonly number[],
): ImageMatch {
  const D = p.scores.length;
  const G = p.gtArea.length;
  // Per-call scratch lives in shared buffers: this runs once per image, class and area range.
  if (scratch.length < 3 * G) scratch = new Int32Array(Math.max(3 * G, 2 * scratch.length));
  const ig = scratch.subarray(0, G);
  const order = scratch.subarray(G, 2 * G);
  const taken = scratch.subarray(2 * G, 3 * G);
  let positives = 0;
  for (let g = 0; g < G; g++) {
    const a = p.gtArea[g]!;
    ig[g] = p.gtMulti[g] || a < range.min || a > range.max ? 1 : 0;
    if (!ig[g]) positives++;
  }
  // Regular objects first (stable), so a match to one is preferred over an ignored region.
  let k = 0;
  for (let g = 0; g < G; g++) if (!ig[g]) order[k++] = g;
  for (let g = 0; g < G; g++) if (ig[g]) order[k++] = g;
  const T = iouThresholds.length;
  const flags = new Uint8Array(T * D);
  for (let t = 0; t < T; t++) {
    taken.fill(0);
    for (let d = 0; d < D; d++) {
      let best = Math.min(iouThresholds[t]!, 1 - 1e-10);
      let m = -1;
      for (let j = 0; j < G; j++) {
        const g = order[j]!;
        if (taken[g] && !p.gtMulti[g]) continue;
        // Already matched a regular object and only ignored regions remain: stop.
        if (m > -1 && !ig[m] && ig[g]) break;
        const v = p.ious[d * G + g]!;
        if (v < best) continue;
        best = v;
        m = g;
      }
      if (m === -1) {
        const a = p.dtArea[d]!;
        if (a < range.min || a > range.max) flags[t * D + d] = IGNORED;
        continue;
      }
      flags[t * D + d] = ig[m] ? MATCHED | IGNORED : MATCHED;
      taken[m] = 1;
    }
  }
  return { scores: p.scores, flags, positives };
}

/** Both steps for one area range (tests and one-off use). */
export function matchImage(
  gts: readonly GroundTruth[],
  dts: readonly Prediction[],
  range: AreaRange,
  maxDetections: number,
  iouThresholds: readonly number[],
  iouType: IouType = 'bbox',
): ImageMatch | undefined {
  const p = prepareImage(gts, dts, maxDetections, iouType);
  return p && matchArea(p, range, iouThresholds);
}
