/**
 * Masks as COCO run lengths, the form mask evaluation works on: the `height ×
 * width` image read column by column, alternating runs of 0s and 1s, starting
 * with 0s. Area, union and IoU are computed on the runs themselves (pycocotools'
 * `rleArea`, `rleMerge`, `rleIou`), never on a full-frame bitmap per pair.
 */
import type { Box } from './types.ts';

export interface MaskRuns {
  readonly height: number;
  readonly width: number;
  readonly runs: Uint32Array;
}

/** Pixels inside the mask: the sum of the runs of 1s. */
export function runsArea(m: MaskRuns): number {
  let n = 0;
  for (let j = 1; j < m.runs.length; j += 2) n += m.runs[j]!;
  return n;
}

/** Pixels inside both masks (same frame size). */
export function runsIntersection(a: Uint32Array, b: Uint32Array): number {
  let ia = 0;
  let ib = 0;
  // End (exclusive) of the current run of each mask; `pos` is where both have got to.
  let endA = a[0] ?? 0;
  let endB = b[0] ?? 0;
  let pos = 0;
  let n = 0;
  while (ia < a.length && ib < b.length) {
    const end = Math.min(endA, endB);
    // Odd runs hold 1s.
    if (ia & ib & 1) n += end - pos;
    pos = end;
    if (endA === end && ++ia < a.length) endA += a[ia]!;
    if (endB === end && ++ib < b.length) endB += b[ib]!;
  }
  return n;
}

/**
 * COCO's mask overlap: intersection over union, or, for a crowd region, over the
 * detection's own area (a detection inside a crowd overlaps it fully). 0 when the
 * masks do not meet.
 */
export function maskIou(
  dt: MaskRuns,
  gt: MaskRuns,
  crowd: boolean,
  dtArea = runsArea(dt),
  gtArea = runsArea(gt),
): number {
  const i = runsIntersection(dt.runs, gt.runs);
  if (i === 0) return 0;
  return i / (crowd ? dtArea : dtArea + gtArea - i);
}

/**
 * First set pixel and one past the last, in column-major order (`[0, 0]` when
 * empty): masks whose spans do not meet cannot overlap, and need no run walk.
 */
export function runsSpan(m: MaskRuns): [number, number] {
  let pos = 0;
  let first = -1;
  let end = 0;
  for (let j = 0; j < m.runs.length; j++) {
    const next = pos + m.runs[j]!;
    if (j & 1 && next > pos) {
      if (first < 0) first = pos;
      end = next;
    }
    pos = next;
  }
  return first < 0 ? [0, 0] : [first, end];
}

/** Union of masks of one frame size (a multi-part polygon's parts). */
export function unionRuns(masks: readonly MaskRuns[], height: number, width: number): MaskRuns {
  if (masks.length === 1) return masks[0]!;
  // Every run of 1s as a [start, end) interval in column-major pixel order.
  const intervals: [number, number][] = [];
  for (const m of masks) {
    let pos = 0;
    for (let j = 0; j < m.runs.length; j++) {
      const next = pos + m.runs[j]!;
      if (j & 1 && next > pos) intervals.push([pos, next]);
      pos = next;
    }
  }
  intervals.sort((p, q) => p[0] - q[0]);
  const runs: number[] = [];
  let covered = 0; // end of the 1s written so far
  let start = -1;
  let end = -1;
  const flush = () => {
    if (start < 0) return;
    runs.push(start - covered, end - start);
    covered = end;
  };
  for (const [s, e] of intervals) {
    if (s <= end) {
      if (e > end) end = e;
      continue;
    }
    flush();
    start = s;
    end = e;
  }
  flush();
  // A mask that reaches the last pixel ends with its 1s, as pycocotools' `rleMerge` writes it.
  if (covered < height * width || runs.length === 0) runs.push(height * width - covered);
  return { height, width, runs: Uint32Array.from(runs) };
}

/**
 * The box of the mask's pixels, `[x1, y1, x2, y2]` (pixel edges); all zeros for
 * an empty mask. What a COCO result without `bbox` gets.
 */
export function runsBox(m: MaskRuns): Box {
  let x1 = Number.POSITIVE_INFINITY;
  let y1 = Number.POSITIVE_INFINITY;
  let x2 = -1;
  let y2 = -1;
  let pos = 0;
  const h = m.height;
  for (let j = 0; j < m.runs.length; j++) {
    const next = pos + m.runs[j]!;
    if (j & 1 && next > pos) {
      const first = pos;
      const last = next - 1;
      const cx1 = Math.floor(first / h);
      const cx2 = Math.floor(last / h);
      x1 = Math.min(x1, cx1);
      x2 = Math.max(x2, cx2);
      // A run into the next column covers its first column to the bottom and the
      // next from the top: every row.
      y1 = Math.min(y1, cx1 === cx2 ? first % h : 0);
      y2 = Math.max(y2, cx1 === cx2 ? last % h : h - 1);
    }
    pos = next;
  }
  if (x2 < 0) return [0, 0, 0, 0];
  return [x1, y1, x2 + 1, y2 + 1];
}
