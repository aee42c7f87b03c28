/**
 * IoU and greedy non-maximum suppression on struct-of-arrays boxes `[x1,y1,x2,y2]`.
 * Pure functions over typed arrays: the hot path of every raw-output decoder.
 */

export interface NmsOptions {
  /** Boxes overlapping a kept box by more than this IoU are suppressed. */
  iou: number;
  /** Candidates scoring below this are dropped first. */
  confidence: number;
  maxDetections: number;
  /** Suppress across classes (true) or only within a class (false, the default of most exports). */
  classAgnostic: boolean;
}

/** Box area, zero for degenerate or inverted boxes (never negative). */
export function boxArea(b: ArrayLike<number>, at = 0): number {
  const w = b[at + 2]! - b[at]!;
  const h = b[at + 3]! - b[at + 1]!;
  return w > 0 && h > 0 ? w * h : 0;
}

/** Intersection over union of box `i` of `a` and box `j` of `b` (both flattened `[x1,y1,x2,y2]` arrays). */
export function iouAt(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const ai = i * 4;
  const bj = j * 4;
  const w = Math.min(a[ai + 2]!, b[bj + 2]!) - Math.max(a[ai]!, b[bj]!);
  const h = Math.min(a[ai + 3]!, b[bj + 3]!) - Math.max(a[ai + 1]!, b[bj + 1]!);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = boxArea(a, ai) + boxArea(b, bj) - inter;
  // Zero-area boxes have no intersection above, so union is positive here.
  return union > 0 ? inter / union : 0;
}

/** IoU of two boxes `[x1,y1,x2,y2]`; 0 (not NaN) when either has zero area. */
export function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return iouAt(a, 0, b, 0);
}

/**
 * Indices above `confidence`, sorted by score descending; ties keep the lower index
 * first so results never depend on the engine's sort.
 */
export function sortByScore(scores: ArrayLike<number>, confidence: number): Int32Array {
  const order: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! >= confidence) order.push(i);
  order.sort((p, q) => scores[q]! - scores[p]! || p - q);
  return Int32Array.from(order);
}

/**
 * Greedy NMS. Returns the kept indices, highest score first. Class-aware by default:
 * a box only suppresses boxes of its own class. O(n log n) to sort plus O(n·k) for
 * the suppression, where k is the number kept (bounded by `maxDetections`).
 */
export function nms(
  boxes: Float32Array,
  scores: Float32Array,
  classIds: Int32Array,
  opts: NmsOptions,
): Int32Array {
  const n = scores.length;
  if (boxes.length !== n * 4 || classIds.length !== n) {
    throw new RangeError(
      `nms: ${boxes.length / 4} boxes, ${n} scores and ${classIds.length} class ids must agree`,
    );
  }
  const order = sortByScore(scores, opts.confidence);
  const keep = new Int32Array(Math.min(order.length, Math.max(0, opts.maxDetections)));
  let kept = 0;
  for (let k = 0; k < order.length && kept < keep.length; k++) {
    const i = order[k]!;
    let suppressed = false;
    // Compare only with kept boxes: they are few, and a suppressed box suppresses nothing.
    for (let m = 0; m < kept; m++) {
      const j = keep[m]!;
      if (!opts.classAgnostic && classIds[i] !== classIds[j]) continue;
      if (iouAt(boxes, i, boxes, j) > opts.iou) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) keep[kept++] = i;
  }
  return keep.slice(0, kept);
}
