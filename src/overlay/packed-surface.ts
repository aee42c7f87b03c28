import type { Colour } from './colour.ts';
import { blendTable } from './blend-table.ts';
import { MaskSampler } from './mask-sampling.ts';
import type { AlphaMask, MaskRect, Surface } from './surface.ts';

/**
 * Draws into interleaved RGB (`rgb24`, 3 bytes a pixel) or RGBA (`rgba`, 4; the
 * alpha byte is left as it is). Every pixel carries its full colour, so there is
 * no chroma subsampling to account for.
 */
export class PackedSurface implements Surface {
  readonly #channels: 3 | 4;
  readonly #sampler = new MaskSampler();
  #data: Uint8Array = new Uint8Array(0);
  readonly #lutR = new Uint8Array(256);
  readonly #lutG = new Uint8Array(256);
  readonly #lutB = new Uint8Array(256);

  constructor(
    readonly format: 'rgb24' | 'rgba',
    readonly width: number,
    readonly height: number,
  ) {
    this.#channels = format === 'rgba' ? 4 : 3;
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
    const n = this.#channels;
    const stride = this.width * n;
    for (let y = y0; y < y1; y++) {
      const end = y * stride + x1 * n;
      for (let i = y * stride + x0 * n; i < end; i += n) {
        d[i] = c.r;
        d[i + 1] = c.g;
        d[i + 2] = c.b;
      }
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
    const n = this.#channels;
    const stride = this.width * n;
    // Per-channel tables: one lookup per byte instead of float arithmetic.
    const lr = blendTable(this.#lutR, c.r, alpha);
    const lg = blendTable(this.#lutG, c.g, alpha);
    const lb = blendTable(this.#lutB, c.b, alpha);
    for (let y = y0; y < y1; y++) {
      const end = y * stride + x1 * n;
      for (let i = y * stride + x0 * n; i < end; i += n) {
        d[i] = lr[d[i]!]!;
        d[i + 1] = lg[d[i + 1]!]!;
        d[i + 2] = lb[d[i + 2]!]!;
      }
    }
  }

  blendMask(mask: AlphaMask, rect: MaskRect, c: Colour, opacity: number): void {
    const s = this.#sampler;
    if (opacity <= 0 || !s.prepare(mask, rect, this.width, this.height)) return;
    const d = this.#data;
    const m = mask.data;
    const n = this.#channels;
    const stride = this.width * n;
    const max = mask.maxValue;
    const k = opacity / max;
    // Fully covered pixels (most of a mask, the stems of glyphs) go through tables.
    const full = Math.min(1, max * k);
    const lr = blendTable(this.#lutR, c.r, full);
    const lg = blendTable(this.#lutG, c.g, full);
    const lb = blendTable(this.#lutB, c.b, full);
    const { cols, rows, x0, x1, y0, y1 } = s;
    for (let y = y0; y < y1; y++) {
      const mr = rows[y]!;
      for (let x = x0; x < x1; x++) {
        const mv = m[mr + cols[x]!]!;
        if (mv === 0) continue;
        const i = y * stride + x * n;
        if (mv >= max) {
          d[i] = lr[d[i]!]!;
          d[i + 1] = lg[d[i + 1]!]!;
          d[i + 2] = lb[d[i + 2]!]!;
          continue;
        }
        const a = mv * k;
        d[i] = Math.round(a * c.r + (1 - a) * d[i]!);
        d[i + 1] = Math.round(a * c.g + (1 - a) * d[i + 1]!);
        d[i + 2] = Math.round(a * c.b + (1 - a) * d[i + 2]!);
      }
    }
  }
}
