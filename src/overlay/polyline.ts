import type { Colour } from './colour.ts';
import type { Surface } from './surface.ts';

/**
 * Draws a polyline `thickness` pixels wide through `count` points stored as
 * `x0, y0, x1, y1, …` in `points` (frame pixels; a point at `p` covers pixels
 * `floor(p − t/2 + 0.5)` onwards, so an odd width is centred on the pixel
 * holding p). Segments are clipped to the frame first, so lines far outside
 * it cost nothing. `closed` joins the last point to the first (zone outlines).
 */
export function drawPolyline(
  s: Surface,
  points: ArrayLike<number>,
  count: number,
  thickness: number,
  c: Colour,
  closed = false,
): void {
  const t = Math.max(1, Math.round(thickness));
  for (let i = 0; i + 1 < count; i++) {
    segment(s, points[2 * i]!, points[2 * i + 1]!, points[2 * i + 2]!, points[2 * i + 3]!, t, c);
  }
  if (closed && count > 2) {
    const j = 2 * (count - 1);
    segment(s, points[j]!, points[j + 1]!, points[0]!, points[1]!, t, c);
  }
  // Square caps at the vertices fill the notches where segments meet at an angle.
  if (t > 1) {
    for (let i = 0; i < count; i++) {
      const x = start(points[2 * i]!, t);
      const y = start(points[2 * i + 1]!, t);
      s.fill(x, y, x + t, y + t, c);
    }
  }
}

function start(p: number, t: number): number {
  return Math.floor(p - t / 2 + 0.5);
}

/**
 * One segment, stepped one pixel at a time along its major axis; each step
 * fills a span of `t` pixels across it (a vertical span for flat lines, a
 * horizontal one for steep lines), giving an even width at any angle ≤ 45°.
 */
function segment(
  s: Surface,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  t: number,
  c: Colour,
): void {
  // A NaN or infinite point (a degenerate box upstream) draws nothing rather than loop.
  if (!Number.isFinite(ax + ay + bx + by)) return;
  // Liang–Barsky clip against the frame grown by the line width.
  const m = t + 1;
  const dx = bx - ax;
  const dy = by - ay;
  CLIP[0] = 0;
  CLIP[1] = 1;
  if (
    !clipEdge(-dx, ax + m) ||
    !clipEdge(dx, s.width + m - ax) ||
    !clipEdge(-dy, ay + m) ||
    !clipEdge(dy, s.height + m - ay)
  ) {
    return;
  }
  const lo = CLIP[0]!;
  const hi = CLIP[1]!;
  const x0 = ax + lo * dx;
  const y0 = ay + lo * dy;
  const len = (hi - lo) * Math.max(Math.abs(dx), Math.abs(dy));
  const steps = Math.max(1, Math.ceil(len));
  const sx = ((hi - lo) * dx) / steps;
  const sy = ((hi - lo) * dy) / steps;
  const flat = Math.abs(dx) >= Math.abs(dy);
  for (let i = 0; i <= steps; i++) {
    const x = x0 + i * sx;
    const y = y0 + i * sy;
    if (flat) {
      const px = Math.floor(x);
      const py = start(y, t);
      s.fill(px, py, px + 1, py + t, c);
    } else {
      const px = start(x, t);
      const py = Math.floor(y);
      s.fill(px, py, px + t, py + 1, c);
    }
  }
}

/**
 * The parametric window `[lo, hi]` of the segment being clipped. A typed array
 * rather than two `let`s: a double written to a module variable is boxed on
 * every write, and clipping runs for every segment of every trail.
 */
const CLIP = new Float64Array(2);

/** Narrows the window by one edge (`p·u ≤ q`); false when the segment is entirely outside. */
function clipEdge(p: number, q: number): boolean {
  if (p === 0) return q >= 0;
  const r = q / p;
  if (p < 0) {
    if (r > CLIP[0]!) CLIP[0] = r;
  } else if (r < CLIP[1]!) CLIP[1] = r;
  return CLIP[0]! <= CLIP[1]!;
}
