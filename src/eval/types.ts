/** The data that detection evaluation works on: ground truth, predictions, datasets. */
import type { MaskRuns } from './mask-runs.ts';

/** `[x1, y1, x2, y2]` in image pixels. */
export type Box = [number, number, number, number];

/** Image key: COCO uses numbers, file-based datasets use paths. */
export type ImageId = string | number;

export interface GroundTruth {
  imageId: ImageId;
  classId: number;
  box: Box;
  /**
   * A crowd region (COCO `iscrowd`): detections on it are neither true nor false
   * positives, any number may land on it, and their overlap with it is measured as
   * intersection over the detection's area.
   */
  iscrowd?: boolean;
  /**
   * A region to ignore with ordinary IoU (Pascal VOC `difficult`): detections
   * matching it are neither true nor false positives, and it is never a miss.
   */
  ignore?: boolean;
  /**
   * Object area for the small/medium/large split (COCO stores the mask area);
   * default: the box area, or the mask's pixels when masks are evaluated.
   */
  area?: number;
  /** The object's mask over its whole image, for mask (`segm`) evaluation. */
  mask?: MaskRuns;
}

export interface Prediction {
  imageId: ImageId;
  classId: number;
  box: Box;
  score: number;
  /** The predicted mask over the whole image, for mask (`segm`) evaluation. */
  mask?: MaskRuns;
}

export interface ImageInfo {
  id: ImageId;
  /** File name or path as the dataset lists it. */
  file: string;
  width?: number;
  height?: number;
}

export interface Category {
  id: number;
  name: string;
}

/** A loaded dataset: what every annotation loader returns. */
export interface AnnotationSet {
  images: ImageInfo[];
  annotations: GroundTruth[];
  categories: Category[];
}
