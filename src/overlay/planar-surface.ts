import type { Colour } from './colour.ts';
import { MaskSampler } from './mask-sampling.ts';
import type { AlphaMask, MaskRect, Surface } from './surface.ts';

/**
 * Draws into `yuv420p`: a full-resolution Y plane followed by U and V at half
 * resolution (rounded up). A chroma sample is written whenever any of the four
 * luma pixels it covers is drawn, so coloured edges stay coloured; luma is
 * exact to the pixel. For masks, the chroma opacity is the mean of the four
 * luma opacities, which keeps anti-aliased text edges free of colour fringes.
 */
export class PlanarSurface implements Surface {
  readonly format = 'yuv420p' as const;
  readonly #cw: number;
  readonly #ch: number;
  readonly #uOffset: number;
  readonly #vOffset: number;
  readonly #sampler = new MaskSampler();
  #data: Uint8Array = new Uint8Array(0);

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.#cw = Math.ceil(width / 2);
    this.#ch = Math.ceil(height / 2);
    this.#uOffset = width * height;
    this.#vOffset = this.#uOffset + this.#cw * this.#ch;
  }

  bind(data: Uint8Array): void {
    this.#data = data;
  }

  fill(x0: number, y0: number, x1: number, y1: number, c: Colour): void {
    x0 = Math.max(0, x0);
    y0 = Math.max(0, y0);
    x1 = Math.min(this.width, x1);
    y1 = Math.min(this.height, y1);
    // Written as a negation so NaN coordinates (a degenerate box) draw nothing.
    if (!(x0 < x1 && y0 < y1)) return;
    const d = this.#data;
    const w = this.width;
    for (let y = y0; y < y1; y++) d.fill(c.y, y * w + x0, y * w + x1);
    const cx0 = x0 >> 1;
    const cx1 = (x1 + 1) >> 1;
    const cw = this.#cw;
    for (let cy = y0 >> 1; cy < (y1 + 1) >> 1; cy++) {
      const row = cy * cw;
      d.fill(c.u, this.#uOffset + row + cx0, this.#uOffset + row + cx1);
      d.fill(c.v, this.#vOffset + row + cx0, this.#vOffset + row + cx1);
    }
  }

  blend(x0: number, y0: number, x1: number, y1: number, c: Colour, alpha: number): void {
    if (alpha >= 1) {
      this.fill(x0, y0, x1, y1, c);
      return;
    }
    x0 = Math.max(0, x0);
    y0 = Math.max(0, y0);
    x1 = Math.min(this.width, x1);
    y1 = Math.min(this.height, y1);
    if (!(x0 < x1 && y0 < y1 && alpha > 0)) return;
    const d = this.#data;
    const w = this.width;
    const b = 1 - alpha;
    // The colour's share is the same for every pixel: computed once.
    const ay = alpha * c.y;
    const au = alpha * c.u;
    const av = alpha * c.v;
    for (let y = y0; y < y1; y++) {
      const end = y * w + x1;
      for (let i = y * w + x0; i < end; i++) d[i] = Math.round(ay + b * d[i]!);
    }
    const cw = this.#cw;
    const cx0 = x0 >> 1;
    const cx1 = (x1 + 1) >> 1;
    for (let cy = y0 >> 1; cy < (y1 + 1) >> 1; cy++) {
      const u = this.#uOffset + cy * cw;
      const v = this.#vOffset + cy * cw;
      for (let cx = cx0; cx < cx1; cx++) {
        d[u + cx] = Math.round(au + b * d[u + cx]!);
        d[v + cx] = Math.round(av + b * d[v + cx]!);
      }
    }
  }

  blendMask(mask: AlphaMask, rect: MaskRect, c: Colour, opacity: number): void {
    const s = this.#sampler;
    if (opacity <= 0 || !s.prepare(mask, rect, this.width, this.height)) return;
    const d = this.#data;
    const m = mask.data;
    const w = this.width;
    const k = opacity / mask.maxValue;
    const { cols, rows, x0, x1, y0, y1 } = s;
    for (let y = y0; y < y1; y++) {
      const mr = rows[y]!;
      const row = y * w;
      for (let x = x0; x < x1; x++) {
        const mv = m[mr + cols[x]!]!;
        if (mv === 0) continue;
        const a = Math.min(1, mv * k);
        d[row + x] = Math.round(a * c.y + (1 - a) * d[row + x]!);
      }
    }
    // Chroma: mean coverage of the 2×2 luma block (pixels outside the window count as 0).
    const cw = this.#cw;
    const k4 = k / 4;
    for (let cy = y0 >> 1; cy < (y1 + 1) >> 1; cy++) {
      const ya = cy * 2;
      const yb = ya + 1;
      const ra = ya >= y0 ? rows[ya]! : -1;
      const rb = yb < y1 ? rows[yb]! : -1;
      const u = this.#uOffset + cy * cw;
      const v = this.#vOffset + cy * cw;
      for (let cx = x0 >> 1; cx < (x1 + 1) >> 1; cx++) {
        const xa = cx * 2;
        const xb = xa + 1;
        const ca = xa >= x0 ? cols[xa]! : -1;
        const cb = xb < x1 ? cols[xb]! : -1;
        let sum = 0;
        if (ra >= 0) {
          if (ca >= 0) sum += m[ra + ca]!;
          if (cb >= 0) sum += m[ra + cb]!;
        }
        if (rb >= 0) {
          if (ca >= 0) sum += m[rb + ca]!;
          if (cb >= 0) sum += m[rb + cb]!;
        }
        if (sum === 0) continue;
        const a = Math.min(1, sum * k4);
        d[u + cx] = Math.round(a * c.u + (1 - a) * d[u + cx]!);
        d[v + cx] = Math.round(a * c.v + (1 - a) * d[v + cx]!);
      }
    }
  }
}
