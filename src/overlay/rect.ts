import type { Colour } from './colour.ts';
import type { Surface } from './surface.ts';

/**
 * Outlines a box `[x1, y1, x2, y2]` (frame pixels, x2/y2 exclusive after
 * rounding) with edges `thickness` pixels wide drawn inward, so the outline
 * never grows past the box and two boxes that touch do not overlap. Boxes
 * thinner than two edges are filled. Parts outside the frame are clipped.
 */
export function drawRect(
  s: Surface,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  thickness: number,
  c: Colour,
): void {
  const l = Math.round(x1);
  const t = Math.round(y1);
  const r = Math.round(x2);
  const b = Math.round(y2);
  // Negated so NaN coordinates draw nothing.
  if (!(r > l && b > t)) return;
  const k = Math.max(1, Math.round(thickness));
  if (r - l <= 2 * k || b - t <= 2 * k) {
    s.fill(l, t, r, b, c);
    return;
  }
  s.fill(l, t, r, t + k, c); // top
  s.fill(l, b - k, r, b, c); // bottom
  s.fill(l, t + k, l + k, b - k, c); // left
  s.fill(r - k, t + k, r, b - k, c); // right
}
