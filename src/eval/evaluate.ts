/**
 * Detection metrics the COCO way (pycocotools `COCOeval`, "bbox" or "segm"): AP averaged over
 * IoU 0.50:0.05:0.95 and 101 recall points, AP50, AP75, AP for small / medium /
 * large objects (by ground-truth area: < 32², 32²–96², > 96²), AR@100, all with at
 * most 100 detections per image and class. A class with no ground truth to find
 * has AP -1 ("absent") and is left out of every mean, as COCO does. Also reports
 * precision and recall at one score threshold (IoU 0.5), what deployments tune.
 * With `iouType: 'segm'` overlaps are mask IoU and areas mask pixels, as COCO's
 * mask mAP has them.
 */
import { FramewireError } from '../core/errors.ts';
import { accumulate, IOU_THRESHOLDS, meanValid, RECALL_THRESHOLDS } from './accumulate.ts';
import {
  type AreaRange,
  IGNORED,
  type ImageMatch,
  type IouType,
  MATCHED,
  matchArea,
  type PreparedImage,
  prepareImage,
} from './matching.ts';
import type { GroundTruth, ImageId, Prediction } from './types.ts';

export const AREA_RANGES: readonly AreaRange[] = [
  { name: 'all', min: 0, max: 1e10 },
  { name: 'small', min: 0, max: 32 ** 2 },
  { name: 'medium', min: 32 ** 2, max: 96 ** 2 },
  { name: 'large', min: 96 ** 2, max: 1e10 },
];

export interface EvaluateOptions {
  /** Images evaluated; default: every image with ground truth or predictions. */
  imageIds?: readonly ImageId[];
  /** Classes evaluated; default: every class in the ground truth or the predictions. */
  classIds?: readonly number[];
  /** Detections kept per image and class (COCO: 100). */
  maxDetections?: number;
  /** Score threshold for `precision` / `recall` (default 0.5). */
  scoreThreshold?: number;
  /** IoU threshold for `precision` / `recall` (default 0.5). */
  matchIou?: number;
  /** `bbox` (default): box IoU; `segm`: mask IoU, every object and prediction carrying a mask. */
  iouType?: IouType;
}

/** Counts at the score threshold; precision/recall are -1 when undefined (0/0). */
export interface ThresholdCounts {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

export interface ClassMetrics extends ThresholdCounts {
  classId: number;
  /** Ground truth to find (not crowd, not ignored). */
  positives: number;
  /** AP@[.50:.95]; -1 when the class has no positives. */
  ap: number;
  ap50: number;
  ap75: number;
  apSmall: number;
  apMedium: number;
  apLarge: number;
  /** Recall averaged over IoU thresholds, 100 detections per image. */
  ar100: number;
}

export interface EvaluationResult {
  iouType: IouType;
  /** mAP@[.50:.95], the COCO headline number; -1 when no class has ground truth. */
  map: number;
  map50: number;
  map75: number;
  mapSmall: number;
  mapMedium: number;
  mapLarge: number;
  mar100: number;
  /** Micro-averaged over classes at `scoreThreshold`. */
  atThreshold: ThresholdCounts & { scoreThreshold: number; iou: number };
  perClass: ClassMetrics[];
  images: number;
}

function groupBy<T extends { imageId: ImageId; classId: number }>(items: readonly T[]) {
  const byClass = new Map<number, Map<ImageId, T[]>>();
  for (const it of items) {
    let images = byClass.get(it.classId);
    if (!images) {
      images = new Map();
      byClass.set(it.classId, images);
    }
    const list = images.get(it.imageId);
    if (list) list.push(it);
    else images.set(it.imageId, [it]);
  }
  return byClass;
}

/** Numbers numerically, strings lexicographically (COCO sorts its image ids). */
function compareIds(a: ImageId, b: ImageId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function evaluateDetections(
  gt: readonly GroundTruth[],
  predictions: readonly Prediction[],
  opts: EvaluateOptions = {},
): EvaluationResult {
  const maxDet = opts.maxDetections ?? 100;
  const scoreThreshold = opts.scoreThreshold ?? 0.5;
  const matchIou = opts.matchIou ?? 0.5;
  const iouType = opts.iouType ?? 'bbox';
  if (iouType === 'segm') checkMasks(gt, predictions);
  const thresholds = [...new Set([...IOU_THRESHOLDS, matchIou])];
  const imageIds = [
    ...new Set(
      opts.imageIds ?? [...gt.map((g) => g.imageId), ...predictions.map((p) => p.imageId)],
    ),
  ].sort(compareIds);
  const classIds = [
    ...new Set(
      opts.classIds ?? [...gt.map((g) => g.classId), ...predictions.map((p) => p.classId)],
    ),
  ].sort((a, b) => a - b);
  const gtBy = groupBy(gt);
  const dtBy = groupBy(predictions);
  const rank = new Map(imageIds.map((id, i) => [id, i]));
  const perClass = classIds.map((classId) =>
    evaluateClass(classId, gtBy.get(classId), dtBy.get(classId), rank, {
      maxDet,
      thresholds,
      matchIndex: thresholds.indexOf(matchIou),
      scoreThreshold,
      iouType,
    }),
  );

  const total = perClass.reduce(
    (acc, c) => ({ tp: acc.tp + c.tp, fp: acc.fp + c.fp, fn: acc.fn + c.fn }),
    { tp: 0, fp: 0, fn: 0 },
  );
  return {
    iouType,
    map: meanValid(perClass.map((c) => c.ap)),
    map50: meanValid(perClass.map((c) => c.ap50)),
    map75: meanValid(perClass.map((c) => c.ap75)),
    mapSmall: meanValid(perClass.map((c) => c.apSmall)),
    mapMedium: meanValid(perClass.map((c) => c.apMedium)),
    mapLarge: meanValid(perClass.map((c) => c.apLarge)),
    mar100: meanValid(perClass.map((c) => c.ar100)),
    atThreshold: { ...ratios(total.tp, total.fp, total.fn), scoreThreshold, iou: matchIou },
    perClass,
    images: imageIds.length,
  };
}

/** Indices of the ten COCO IoU thresholds (a custom `matchIou` may follow them). */
const COCO_T = Array.from({ length: IOU_THRESHOLDS.length }, (_, i) => i);
const R = RECALL_THRESHOLDS.length;

/** One class: match per image, then accumulate per area range. */
function evaluateClass(
  classId: number,
  gtImages: Map<ImageId, GroundTruth[]> | undefined,
  dtImages: Map<ImageId, Prediction[]> | undefined,
  rank: Map<ImageId, number>,
  o: {
    maxDet: number;
    thresholds: number[];
    matchIndex: number;
    scoreThreshold: number;
    iouType: IouType;
  },
): ClassMetrics {
  // Only images where this class occurs, in image order (the order score ties keep).
  const images = [...new Set([...(gtImages?.keys() ?? []), ...(dtImages?.keys() ?? [])])]
    .filter((id) => rank.has(id))
    .sort((a, b) => rank.get(a)! - rank.get(b)!);
  const prepared: PreparedImage[] = [];
  for (const img of images) {
    const p = prepareImage(gtImages?.get(img) ?? [], dtImages?.get(img) ?? [], o.maxDet, o.iouType);
    if (p) prepared.push(p);
  }
  const [all, small, medium, large] = AREA_RANGES.map((range) => {
    const matches = prepared.map((p) => matchArea(p, range, o.thresholds));
    const curve = accumulate(matches, o.thresholds.length);
    // AP at threshold t: mean precision over the recall points; -1 when undefined.
    const apAt = (t: number) => {
      if (!curve.precision) return -1;
      let s = 0;
      for (let r = 0; r < R; r++) s += curve.precision[t * R + r]!;
      return s / R;
    };
    return { matches, apAt, recall: curve.recall, ap: meanValid(COCO_T.map(apAt)) };
  }) as [Area, Area, Area, Area];
  return {
    classId,
    positives: all.matches.reduce((n, m) => n + m.positives, 0),
    ap: all.ap,
    ap50: all.apAt(0),
    ap75: all.apAt(5),
    apSmall: small.ap,
    apMedium: medium.ap,
    apLarge: large.ap,
    ar100: meanValid(all.recall.subarray(0, COCO_T.length)),
    ...countAtThreshold(all.matches, o.matchIndex, o.scoreThreshold),
  };
}

/** Mask evaluation needs a mask on everything, and one frame size per image. */
function checkMasks(gt: readonly GroundTruth[], predictions: readonly Prediction[]): void {
  const sizes = new Map<ImageId, string>();
  const check = (item: GroundTruth | Prediction, what: string) => {
    if (!item.mask) {
      throw new FramewireError(
        'USAGE',
        `mask evaluation: a ${what} of image ${item.imageId} has no mask`,
        {
          fatal: true,
          hint:
            what === 'prediction'
              ? 'segm needs an instance-segmentation model or results with "segmentation"'
              : 'segm needs annotations with "segmentation"',
        },
      );
    }
    const size = `${item.mask.height}×${item.mask.width}`;
    const seen = sizes.get(item.imageId);
    if (seen === undefined) sizes.set(item.imageId, size);
    else if (seen !== size) {
      throw new FramewireError(
        'USAGE',
        `mask evaluation: image ${item.imageId} has masks of ${seen} and of ${size} pixels (height×width)`,
        { fatal: true, hint: 'masks must cover the whole image they belong to' },
      );
    }
  };
  for (const g of gt) check(g, 'ground-truth object');
  for (const p of predictions) check(p, 'prediction');
}

interface Area {
  matches: ImageMatch[];
  apAt(t: number): number;
  recall: Float64Array;
  ap: number;
}

function ratios(tp: number, fp: number, fn: number): ThresholdCounts {
  return {
    tp,
    fp,
    fn,
    precision: tp + fp ? tp / (tp + fp) : -1,
    recall: tp + fn ? tp / (tp + fn) : -1,
  };
}

/** TP/FP among detections scoring ≥ `score` at IoU threshold index `t`; the rest of the positives are misses. */
function countAtThreshold(
  matches: readonly ImageMatch[],
  t: number,
  score: number,
): ThresholdCounts {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  for (const m of matches) {
    positives += m.positives;
    const D = m.scores.length;
    for (let d = 0; d < D; d++) {
      const f = m.flags[t * D + d]!;
      if (m.scores[d]! < score || f & IGNORED) continue;
      if (f & MATCHED) tp++;
      else fp++;
    }
  }
  return ratios(tp, fp, positives - tp);
}
