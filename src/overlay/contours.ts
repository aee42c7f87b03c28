import type { GeometryTransform } from '../core/frame.ts';
import type { InstanceMask } from '../core/masks.ts';
import type { Colour } from './colour.ts';
import { frameRect } from './mask-sampling.ts';
import type { Surface } from './surface.ts';

/**
 * Draws the boundary of an instance mask, `width` frame pixels wide, on the
 * inside of the mask: a frame pixel is on it when it is in the mask and some
 * pixel at most `width` steps away (a square neighbourhood) is not.
 * The mask is first placed on frame pixels the way the mask blend places it
 * (nearest neighbour through the transform), so the contour hugs the tint.
 */
export class ContourPainter {
  #inside = new Uint8Array(0);
  #eroded = new Uint8Array(0);
  #edge = new Uint8Array(0);

  draw(
    s: Surface,
    mask: InstanceMask,
    transform: GeometryTransform | undefined,
    c: Colour,
    width: number,
  ): void {
    const r = frameRect(mask.x, mask.y, mask.width, mask.height, transform);
    // The same rounding as the mask sampler, so contour and tint line up.
    const x0 = Math.round(r.x);
    const y0 = Math.round(r.y);
    const w = Math.round(r.x + r.width) - x0;
    const h = Math.round(r.y + r.height) - y0;
    if (w <= 0 || h <= 0 || mask.width <= 0 || mask.height <= 0) return;
    const n = w * h;
    if (this.#inside.length < n) {
      this.#inside = new Uint8Array(n);
      this.#eroded = new Uint8Array(n);
      this.#edge = new Uint8Array(n);
    }
    const inside = this.#inside;
    const kx = mask.width / w;
    const ky = mask.height / h;
    for (let y = 0; y < h; y++) {
      const mr = Math.min(mask.height - 1, Math.floor((y + 0.5) * ky)) * mask.width;
      for (let x = 0; x < w; x++) {
        inside[y * w + x] = mask.data[mr + Math.min(mask.width - 1, Math.floor((x + 0.5) * kx))]!;
      }
    }
    erode(inside, this.#eroded, this.#edge, w, h, width);
    // The eroded mask is the interior; inside minus interior is the contour.
    const edge = this.#edge;
    const eroded = this.#eroded;
    for (let i = 0; i < n; i++) edge[i] = inside[i]! & (eroded[i]! ^ 1);
    s.blendMask(
      { data: edge, width: w, height: h, maxValue: 1 },
      { x: x0, y: y0, width: w, height: h },
      c,
      1,
    );
  }
}

/**
 * Binary erosion by a (2r+1)² square, as a row pass then a column pass; cells
 * beyond the bitmap count as outside. `tmp` is scratch.
 */
function erode(src: Uint8Array, out: Uint8Array, tmp: Uint8Array, w: number, h: number, r: number) {
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let v = x - r >= 0 && x + r < w ? 1 : 0;
      for (let k = -r; v && k <= r; k++) v = src[row + x + k]!;
      tmp[row + x] = v;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = y - r >= 0 && y + r < h ? 1 : 0;
      for (let k = -r; v && k <= r; k++) v = tmp[(y + k) * w + x]!;
      out[y * w + x] = v;
    }
  }
}
