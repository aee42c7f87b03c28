import type { Colour } from './colour.ts';
import { blendTable } from './blend-table.ts';
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
  readonly #lutY = new Uint8Array(256);
  readonly #lutU = new Uint8Array(256);
  readonly #lutV = new Uint8Array(256);

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
    for (let y = y0; y < y1; y++) fillSpan(d, c.y, y * w + x0, y * w + x1);
    const cx0 = x0 >> 1;
    const cx1 = (x1 + 1) >> 1;
    const cw = this.#cw;
    for (let cy = y0 >> 1; cy < (y1 + 1) >> 1; cy++) {
      const row = cy * cw;
      fillSpan(d, c.u, this.#uOffset + row + cx0, this.#uOffset + row + cx1);
      fillSpan(d, c.v, this.#vOffset + row + cx0, this.#vOffset + row + cx1);
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
    // One table per plane maps every old value to its blended value, so the
    // per-pixel work is a lookup; same arithmetic as round(a·c + (1−a)·p).
    const ly = blendTable(this.#lutY, c.y, alpha);
    const lu = blendTable(this.#lutU, c.u, alpha);
    const lv = blendTable(this.#lutV, c.v, alpha);
    for (let y = y0; y < y1; y++) {
      const end = y * w + x1;
      for (let i = y * w + x0; i < end; i++) d[i] = ly[d[i]!]!;
    }
    const cw = this.#cw;
    const cx0 = x0 >> 1;
    const cx1 = (x1 + 1) >> 1;
    for (let cy = y0 >> 1; cy < (y1 + 1) >> 1; cy++) {
      const u = this.#uOffset + cy * cw;
      const v = this.#vOffset + cy * cw;
      for (let cx = cx0; cx < cx1; cx++) {
        d[u + cx] = lu[d[u + cx]!]!;
        d[v + cx] = lv[d[v + cx]!]!;
      }
    }
  }

  blendMask(mask: AlphaMask, rect: MaskRect, c: Colour, opacity: number): void {
    const s = this.#sampler;
    if (opacity <= 0 || !s.prepare(mask, rect, this.width, this.height)) return;
    const d = this.#data;
    const m = mask.data;
    const w = this.width;
    const max = mask.maxValue;
    const k = opacity / max;
    // Fully covered pixels (most of a mask, the stems of glyphs) go through tables;
    // values above maxValue count as full coverage.
    const full = Math.min(1, max * k);
    const ly = blendTable(this.#lutY, c.y, full);
    const { cols, rows, x0, x1, y0, y1 } = s;
    for (let y = y0; y < y1; y++) {
      const mr = rows[y]!;
      const row = y * w;
      for (let x = x0; x < x1; x++) {
        const mv = m[mr + cols[x]!]!;
        if (mv === 0) continue;
        if (mv >= max) {
          d[row + x] = ly[d[row + x]!]!;
          continue;
        }
        const a = mv * k;
        d[row + x] = Math.round(a * c.y + (1 - a) * d[row + x]!);
      }
    }
    // Chroma: mean coverage of the 2×2 luma block (pixels outside the window count as 0).
    const cw = this.#cw;
    const k4 = k / 4;
    const max4 = 4 * max;
    const lu = blendTable(this.#lutU, c.u, full);
    const lv = blendTable(this.#lutV, c.v, full);
    // Columns whose two luma pixels are both inside the window need no checks.
    const inner0 = (x0 + 1) >> 1;
    const inner1 = x1 >> 1;
    for (let cy = y0 >> 1; cy < (y1 + 1) >> 1; cy++) {
      const ya = cy * 2;
      // A row outside the window reads as the other row with zero weight.
      const ra = ya >= y0 ? rows[ya]! : -1;
      const rb = ya + 1 < y1 ? rows[ya + 1]! : -1;
      const u = this.#uOffset + cy * cw;
      const v = this.#vOffset + cy * cw;
      if (ra >= 0 && rb >= 0) {
        for (let cx = inner0; cx < inner1; cx++) {
          const ca = cols[2 * cx]!;
          const cb = cols[2 * cx + 1]!;
          const sum = m[ra + ca]! + m[ra + cb]! + m[rb + ca]! + m[rb + cb]!;
          if (sum === 0) continue;
          if (sum >= max4) {
            d[u + cx] = lu[d[u + cx]!]!;
            d[v + cx] = lv[d[v + cx]!]!;
            continue;
          }
          const a = Math.min(full, sum * k4);
          d[u + cx] = Math.round(a * c.u + (1 - a) * d[u + cx]!);
          d[v + cx] = Math.round(a * c.v + (1 - a) * d[v + cx]!);
        }
        if (inner0 > x0 >> 1) this.#chromaEdge(m, ra, rb, x0 >> 1, c, k4, full, u, v);
        if (inner1 < (x1 + 1) >> 1) this.#chromaEdge(m, ra, rb, inner1, c, k4, full, u, v);
      } else {
        for (let cx = x0 >> 1; cx < (x1 + 1) >> 1; cx++)
          this.#chromaEdge(m, ra, rb, cx, c, k4, full, u, v);
      }
    }
  }

  /** One chroma sample at the window's edge, where some of its luma pixels are outside. */
  #chromaEdge(
    m: Uint8Array,
    ra: number,
    rb: number,
    cx: number,
    c: Colour,
    k4: number,
    full: number,
    u: number,
    v: number,
  ): void {
    const { cols, x0, x1 } = this.#sampler;
    const d = this.#data;
    const xa = cx * 2;
    const ca = xa >= x0 ? cols[xa]! : -1;
    const cb = xa + 1 < x1 ? cols[xa + 1]! : -1;
    let sum = 0;
    if (ra >= 0) {
      if (ca >= 0) sum += m[ra + ca]!;
      if (cb >= 0) sum += m[ra + cb]!;
    }
    if (rb >= 0) {
      if (ca >= 0) sum += m[rb + ca]!;
      if (cb >= 0) sum += m[rb + cb]!;
    }
    if (sum === 0) return;
    const a = Math.min(full, sum * k4);
    d[u + cx] = Math.round(a * c.u + (1 - a) * d[u + cx]!);
    d[v + cx] = Math.round(a * c.v + (1 - a) * d[v + cx]!);
  }
}

/**
 * `TypedArray.fill` costs a call into the runtime; the short spans of lines
 * and outlines (a few pixels) are cheaper written by hand.
 */
function fillSpan(d: Uint8Array, value: number, from: number, to: number): void {
  if (to - from > 32) {
    d.fill(value, from, to);
    return;
  }
  for (let i = from; i < to; i++) d[i] = value;
}
