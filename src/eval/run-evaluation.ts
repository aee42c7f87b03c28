/**
 * Joins detector output to a dataset and evaluates it: the engine behind
 * `framewire eval`. Results are matched to dataset images by path, else by file
 * name; classes by label name (so a COCO-80 detector can be scored against COCO's
 * 91-id categories), else by class id. For mask evaluation (`iouType: 'segm'`)
 * each detection's `mask` (the COCO RLE `detect --json` writes) is its mask.
 */
import { basename } from 'node:path';
import type { Detection } from '../core/detection.ts';
import { FramewireError } from '../core/errors.ts';
import { type EvaluateOptions, type EvaluationResult, evaluateDetections } from './evaluate.ts';
import { segmentationToRuns } from './loaders/coco-segmentation.ts';
import type { AnnotationSet, Category, ImageId, ImageInfo, Prediction } from './types.ts';

/** One image's detections, as `framewire detect --json` prints them plus the image path. */
export interface DetectResult {
  image: string;
  detections: readonly Detection[];
}

export interface RunEvaluationOptions extends Omit<EvaluateOptions, 'imageIds' | 'classIds'> {
  /** `label`: by name; `id`: by class id; `auto` (default): by name when the label is a category. */
  classMatch?: 'auto' | 'label' | 'id';
}

export interface EvaluationReport {
  result: EvaluationResult;
  categories: Category[];
  /** Dataset images with no detect result (their objects all count as misses). */
  imagesWithoutResults: string[];
  /** Results whose image is not in the dataset (not evaluated). */
  resultsWithoutImage: string[];
  /** Labels of detections that matched no category (not evaluated), with counts. */
  unknownLabels: Record<string, number>;
}

export function runEvaluation(
  results: readonly DetectResult[],
  annotations: AnnotationSet,
  opts: RunEvaluationOptions = {},
): EvaluationReport {
  const byFile = new Map<string, ImageId>();
  const byBase = new Map<string, ImageId | null>();
  for (const im of annotations.images) {
    byFile.set(im.file, im.id);
    const b = basename(im.file);
    // A file name shared by two images cannot identify either.
    byBase.set(b, byBase.has(b) ? null : im.id);
  }
  const byName = new Map(annotations.categories.map((c) => [c.name.toLowerCase(), c.id]));
  const known = new Set(annotations.categories.map((c) => c.id));
  const mode = opts.classMatch ?? 'auto';
  const predictions: Prediction[] = [];
  const seen = new Set<ImageId>();
  const segm = opts.iouType === 'segm';
  const imageOf = new Map(annotations.images.map((im) => [im.id, im]));
  const resultsWithoutImage: string[] = [];
  const unknownLabels: Record<string, number> = {};
  for (const r of results) {
    const id = byFile.get(r.image) ?? byBase.get(basename(r.image)) ?? undefined;
    if (id === undefined) {
      resultsWithoutImage.push(r.image);
      continue;
    }
    seen.add(id);
    for (const d of r.detections) {
      const named = byName.get(d.label.toLowerCase());
      const classId =
        mode === 'id' ? d.classId : (named ?? (mode === 'auto' ? d.classId : undefined));
      if (classId === undefined || !known.has(classId)) {
        unknownLabels[d.label] = (unknownLabels[d.label] ?? 0) + 1;
        continue;
      }
      const p: Prediction = { imageId: id, classId, box: d.box, score: d.score };
      if (segm) p.mask = detectionMask(d, imageOf.get(id)!, r.image);
      predictions.push(p);
    }
  }
  return report(predictions, annotations, opts, seen, resultsWithoutImage, unknownLabels);
}

/**
 * Evaluates a COCO results file (`[{image_id, category_id, bbox | segmentation,
 * score}]`, already in the dataset's image and category ids), as COCOeval does.
 */
export function evaluateCocoResults(
  predictions: readonly Prediction[],
  annotations: AnnotationSet,
  opts: Omit<RunEvaluationOptions, 'classMatch'> = {},
): EvaluationReport {
  const images = new Set(annotations.images.map((im) => im.id));
  const known = new Set(annotations.categories.map((c) => c.id));
  const kept: Prediction[] = [];
  const seen = new Set<ImageId>();
  const resultsWithoutImage = new Set<string>();
  const unknownLabels: Record<string, number> = {};
  for (const p of predictions) {
    if (!images.has(p.imageId)) {
      resultsWithoutImage.add(String(p.imageId));
      continue;
    }
    seen.add(p.imageId);
    if (!known.has(p.classId)) {
      const name = `category ${p.classId}`;
      unknownLabels[name] = (unknownLabels[name] ?? 0) + 1;
      continue;
    }
    kept.push(p);
  }
  return report(kept, annotations, opts, seen, [...resultsWithoutImage], unknownLabels);
}

function report(
  predictions: readonly Prediction[],
  annotations: AnnotationSet,
  opts: RunEvaluationOptions,
  seen: ReadonlySet<ImageId>,
  resultsWithoutImage: string[],
  unknownLabels: Record<string, number>,
): EvaluationReport {
  const { classMatch: _, ...evalOpts } = opts;
  const result = evaluateDetections(annotations.annotations, predictions, {
    ...evalOpts,
    imageIds: annotations.images.map((im) => im.id),
    classIds: annotations.categories.map((c) => c.id),
  });
  return {
    result,
    categories: annotations.categories,
    imagesWithoutResults: annotations.images.filter((im) => !seen.has(im.id)).map((im) => im.file),
    resultsWithoutImage,
    unknownLabels,
  };
}

function detectionMask(d: Detection, image: ImageInfo, path: string) {
  if (!d.mask) {
    throw new FramewireError(
      'USAGE',
      `mask evaluation: a "${d.label}" detection in ${path} has no mask`,
      {
        fatal: true,
        hint: 'segm needs an instance-segmentation model (YOLO-seg, Mask R-CNN); use --iou-type bbox for boxes',
      },
    );
  }
  const size =
    image.width !== undefined && image.height !== undefined
      ? { width: image.width, height: image.height }
      : undefined;
  return segmentationToRuns(d.mask, size, `${path} detection`);
}
