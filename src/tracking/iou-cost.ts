import { iouAt } from '../models/nms.ts';

/**
 * The association cost between tracks and detections: `1 - IoU` of each track's
 * predicted box with each detection's box, row-major `tracks × detections`.
 * With `classes` given, a pair of different classes is forbidden (Infinity), so
 * a person track never takes over a car detection.
 */
export function iouCost(
  trackBoxes: Float64Array,
  detBoxes: ArrayLike<number>,
  detIndices: readonly number[],
  classes?: { tracks: readonly number[]; detections: ArrayLike<number> },
): Float64Array {
  const rows = trackBoxes.length / 4;
  const cols = detIndices.length;
  const cost = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = detIndices[c]!;
      const sameClass = !classes || classes.tracks[r] === classes.detections[d];
      cost[r * cols + c] = sameClass
        ? 1 - iouAt(trackBoxes, r, detBoxes, d)
        : Number.POSITIVE_INFINITY;
    }
  }
  return cost;
}
