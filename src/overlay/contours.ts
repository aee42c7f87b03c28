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
  #cols = new Int32Array(0);

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
    if (this.#cols.length < w) this.#cols = new Int32Array(w);
    const cols = this.#cols;
    const kx = mask.width / w;
    const ky = mask.height / h;
    for (let x = 0; x < w; x++) cols[x] = Math.min(mask.width - 1, Math.floor((x + 0.5) * kx));
    for (let y = 0; y < h; y++) {
      const mr = Math.min(mask.height - 1, Math.floor((y + 0.5) * ky)) * mask.width;
      const row = y * w;
      for (let x = 0; x < w; x++) inside[row + x] = mask.data[mr + cols[x]!]!;
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
 * Binary erosion by a (2r+1)² square, as a row pass then a column pass of
 * running counts (a cell survives when its whole window is set); cells beyond
 * the bitmap count as outside. `tmp` is scratch.
 */
function erode(src: Uint8Array, out: Uint8Array, tmp: Uint8Array, w: number, h: number, r: number) {
  const full = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let count = 0;
    for (let x = 0; x < Math.min(w, r); x++) count += src[row + x]!;
    for (let x = 0; x < w; x++) {
      if (x + r < w) count += src[row + x + r]!;
      if (x - r - 1 >= 0) count -= src[row + x - r - 1]!;
      tmp[row + x] = count === full ? 1 : 0;
    }
  }
  for (let x = 0; x < w; x++) {
    let count = 0;
    for (let y = 0; y < Math.min(h, r); y++) count += tmp[y * w + x]!;
    for (let y = 0; y < h; y++) {
      if (y + r < h) count += tmp[(y + r) * w + x]!;
      if (y - r - 1 >= 0) count -= tmp[(y - r - 1) * w + x]!;
      out[y * w + x] = count === full ? 1 : 0;
    }
  }
}
