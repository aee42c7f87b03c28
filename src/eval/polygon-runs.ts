/**
 * A polygon as COCO run lengths, rasterised the way pycocotools' `frPoly` does it,
 * so ground-truth polygons cover exactly the pixels COCO's own evaluation counts:
 *
 * 1. Vertices are rounded onto a grid 5× finer than the pixels, and the outline is
 *    traced through every grid point along each edge (one point per step along
 *    the edge's longer axis, the other coordinate rounded).
 * 2. Wherever the traced outline steps from one fine column to the next across a
 *    pixel-column centre, it toggles inside/outside at the first pixel centre
 *    below it (clamped to the image): pixel `(x, y)` is inside when an odd number
 *    of such crossings lie in column `x` at or above row `y`.
 * 3. Those toggle points, in column-major order, are the run boundaries.
 *
 * Rounding follows C's integer conversion (toward zero), as the reference does.
 */
import type { MaskRuns } from './mask-runs.ts';

const SCALE = 5;

/** `[x0, y0, x1, y1, …]`; pixel `(x, y)` spans `[x, x + 1) × [y, y + 1)`, as in COCO. */
export function polygonToRuns(xy: readonly number[], height: number, width: number): MaskRuns {
  const k = Math.floor(xy.length / 2);
  const gx = new Int32Array(k + 1);
  const gy = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) {
    gx[j] = Math.trunc(SCALE * xy[2 * j]! + 0.5);
    gy[j] = Math.trunc(SCALE * xy[2 * j + 1]! + 0.5);
  }
  gx[k] = gx[0]!;
  gy[k] = gy[0]!;

  // 1. The outline through the fine grid, edge by edge.
  let points = 0;
  for (let j = 0; j < k; j++) {
    points += Math.max(Math.abs(gx[j]! - gx[j + 1]!), Math.abs(gy[j]! - gy[j + 1]!)) + 1;
  }
  const u = new Float64Array(points);
  const v = new Float64Array(points);
  let m = 0;
  for (let j = 0; j < k; j++) {
    let xs = gx[j]!;
    let xe = gx[j + 1]!;
    let ys = gy[j]!;
    let ye = gy[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const alongX = dx >= dy;
    // Each edge is stepped from its lower end along the longer axis, so an edge and
    // its reverse round to the same points; the points are still stored start to end.
    const flip = (alongX && xs > xe) || (!alongX && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    if (alongX) {
      const slope = (ye - ys) / dx;
      for (let d = 0; d <= dx; d++, m++) {
        const t = flip ? dx - d : d;
        u[m] = t + xs;
        // A zero-length edge gives NaN here; its point shares the neighbours' column
        // and so never marks a crossing.
        v[m] = Math.trunc(ys + slope * t + 0.5);
      }
    } else {
      const slope = (xe - xs) / dy;
      for (let d = 0; d <= dy; d++, m++) {
        const t = flip ? dy - d : d;
        v[m] = t + ys;
        u[m] = Math.trunc(xs + slope * t + 0.5);
      }
    }
  }

  // 2. Crossings of pixel-column centres, back on the pixel grid.
  const toggles: number[] = [];
  for (let j = 1; j < m; j++) {
    if (u[j] === u[j - 1]) continue;
    const col = ((u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1) + 0.5) / SCALE - 0.5;
    if (Math.floor(col) !== col || col < 0 || col > width - 1) continue;
    const row = (Math.min(v[j]!, v[j - 1]!) + 0.5) / SCALE - 0.5;
    toggles.push(col * height + Math.ceil(Math.min(Math.max(row, 0), height)));
  }

  // 3. Sorted toggle positions become runs; two toggles at one place cancel.
  toggles.push(height * width);
  const at = Float64Array.from(toggles).sort();
  const runs: number[] = [];
  let previous = 0;
  for (let j = 0; j < at.length; j++) {
    const length = at[j]! - previous;
    previous = at[j]!;
    if (j === 0 || length > 0) runs.push(length);
    else if (++j < at.length) {
      // An empty run joins its neighbours: the next gap extends the last run.
      runs[runs.length - 1]! += at[j]! - previous;
      previous = at[j]!;
    }
  }
  return { height, width, runs: Uint32Array.from(runs) };
}

/** A box `[x, y, w, h]` as the polygon of its corners (pycocotools' `frBbox`). */
export function boxToRuns(bbox: readonly number[], height: number, width: number): MaskRuns {
  const [x, y, w, h] = bbox as [number, number, number, number];
  return polygonToRuns([x, y, x, y + h, x + w, y + h, x + w, y], height, width);
}
