/**
 * Semantic-segmentation scores, the usual way (PASCAL VOC, Cityscapes): a
 * confusion matrix over every labelled pixel of every image, then per class
 * IoU = TP / (TP + FP + FN), mIoU over the classes that occur (in the ground
 * truth or the prediction), and pixel accuracy = correct / labelled. Pixels
 * whose ground truth is the `ignore` value (VOC's 255 borders) count nowhere.
 */

export interface SegmentationClassScore {
  readonly classId: number;
  readonly label: string;
  readonly iou: number;
  /** Ground-truth pixels of the class. */
  readonly pixels: number;
}

export interface SegmentationScores {
  readonly images: number;
  readonly mIoU: number;
  readonly pixelAccuracy: number;
  /** Labelled pixels counted (ignored ones excluded). */
  readonly pixels: number;
  readonly classes: readonly SegmentationClassScore[];
}

const CLASSES = 256;

export class SegmentationEvaluator {
  /** confusion[truth * 256 + predicted] */
  readonly #confusion = new Float64Array(CLASSES * CLASSES);
  #images = 0;

  /** `ignore`: the ground-truth value of pixels to skip (VOC: 255); absent counts every pixel. */
  constructor(private readonly ignore?: number) {}

  /** Adds one image: predicted and true class ids, same size, row-major. */
  add(predicted: Uint8Array, truth: Uint8Array): void {
    if (predicted.length !== truth.length) {
      throw new Error(`prediction has ${predicted.length} pixels, ground truth ${truth.length}`);
    }
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i]!;
      if (t === this.ignore) continue;
      this.#confusion[t * CLASSES + predicted[i]!]!++;
    }
    this.#images++;
  }

  scores(labels: readonly string[]): SegmentationScores {
    const c = this.#confusion;
    const classes: SegmentationClassScore[] = [];
    let correct = 0;
    let total = 0;
    for (let k = 0; k < CLASSES; k++) {
      let truthK = 0;
      let predictedK = 0;
      for (let j = 0; j < CLASSES; j++) {
        truthK += c[k * CLASSES + j]!;
        predictedK += c[j * CLASSES + k]!;
      }
      const tp = c[k * CLASSES + k]!;
      correct += tp;
      total += truthK;
      const union = truthK + predictedK - tp;
      if (union === 0) continue;
      classes.push({
        classId: k,
        label: labels[k] || String(k),
        iou: round(tp / union),
        pixels: truthK,
      });
    }
    const mIoU = classes.length > 0 ? classes.reduce((s, k) => s + k.iou, 0) / classes.length : 0;
    return {
      images: this.#images,
      mIoU: round(mIoU),
      pixelAccuracy: total > 0 ? round(correct / total) : 0,
      pixels: total,
      classes,
    };
  }
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** The report as a table, for people. */
export function formatSegmentationReport(s: SegmentationScores): string {
  const width = Math.max(5, ...s.classes.map((k) => k.label.length));
  const rows = s.classes.map(
    (k) =>
      `  ${k.label.padEnd(width)}  IoU ${(k.iou * 100).toFixed(1).padStart(5)}%  (${k.pixels} px)`,
  );
  return [
    `${s.images} image${s.images === 1 ? '' : 's'}, ${s.pixels} labelled pixels`,
    `mIoU ${(s.mIoU * 100).toFixed(1)}%, pixel accuracy ${(s.pixelAccuracy * 100).toFixed(1)}%`,
    ...rows,
  ].join('\n');
}
