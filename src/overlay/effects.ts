import type { Frame, PixelFormat } from '../core/frame.ts';
import type { Colour } from './colour.ts';
import type { EffectRegion } from './effect-region.ts';
import {
  BlurScratch,
  boxBlur,
  type Plane,
  type PlaneRegion,
  pixelate,
  replace,
} from './plane-effects.ts';

/** What to do to the selected pixels. */
export type EffectSpec =
  | { readonly kind: 'blur'; readonly radius: number }
  | { readonly kind: 'pixelate'; readonly blockSize: number }
  | {
      readonly kind: 'replace';
      readonly colour: Colour;
      readonly image?: (frame: Frame) => Uint8Array;
    };

/**
 * Applies an effect to a frame's selected pixels, plane by plane. yuv420p
 * chroma is changed at every chroma sample any of whose four luma pixels is
 * selected (so no unblurred colour survives at the edges), with half the
 * radius and half the block size, so chroma blocks line up with luma blocks.
 */
export class EffectPainter {
  readonly #scratch = new BlurScratch();
  #chroma = new Uint8Array(0);

  constructor(readonly effect: EffectSpec) {}

  apply(frame: Frame, region: EffectRegion): void {
    if (region.empty) return;
    const image = this.effect.kind === 'replace' ? this.effect.image?.(frame) : undefined;
    const c = this.effect.kind === 'replace' ? this.effect.colour : undefined;
    if (frame.format === 'yuv420p') {
      const w = frame.width;
      const h = frame.height;
      const cw = Math.ceil(w / 2);
      const ch = Math.ceil(h / 2);
      this.#plane(
        frame.data,
        { offset: 0, step: 1, stride: w, width: w, height: h },
        region,
        1,
        c?.y,
        image,
      );
      const chroma = this.#chromaRegion(region, cw, ch);
      const u: Plane = { offset: w * h, step: 1, stride: cw, width: cw, height: ch };
      const v: Plane = { ...u, offset: w * h + cw * ch };
      this.#plane(frame.data, u, chroma, 2, c?.u, image);
      this.#plane(frame.data, v, chroma, 2, c?.v, image);
      return;
    }
    const n = channels(frame.format);
    const values = [c?.r, c?.g, c?.b];
    for (let k = 0; k < 3; k++) {
      const p: Plane = {
        offset: k,
        step: n,
        stride: frame.width * n,
        width: frame.width,
        height: frame.height,
      };
      this.#plane(frame.data, p, region, 1, values[k], image);
    }
  }

  #plane(
    d: Uint8Array,
    p: Plane,
    region: PlaneRegion,
    subsampling: 1 | 2,
    value: number | undefined,
    image: Uint8Array | undefined,
  ): void {
    const e = this.effect;
    switch (e.kind) {
      case 'blur':
        boxBlur(d, p, region, Math.max(1, Math.round(e.radius / subsampling)), this.#scratch);
        return;
      case 'pixelate':
        pixelate(d, p, region, Math.max(1, Math.round(e.blockSize / subsampling)));
        return;
      case 'replace':
        replace(d, p, region, value ?? 0, image);
    }
  }

  /** The chroma samples to change: any of their four luma pixels selected. */
  #chromaRegion(region: EffectRegion, cw: number, ch: number): PlaneRegion {
    if (this.#chroma.length !== cw * ch) this.#chroma = new Uint8Array(cw * ch);
    const out = this.#chroma;
    const cx0 = region.x0 >> 1;
    const cy0 = region.y0 >> 1;
    const cx1 = (region.x1 + 1) >> 1;
    const cy1 = (region.y1 + 1) >> 1;
    const cells = region.cells;
    const w = region.width;
    const h = region.height;
    for (let cy = cy0; cy < cy1; cy++) {
      const ra = 2 * cy * w;
      const rb = 2 * cy + 1 < h ? ra + w : ra;
      for (let cx = cx0; cx < cx1; cx++) {
        const xa = 2 * cx;
        const xb = xa + 1 < w ? xa + 1 : xa;
        out[cy * cw + cx] = cells[ra + xa]! | cells[ra + xb]! | cells[rb + xa]! | cells[rb + xb]!;
      }
    }
    return { cells: out, x0: cx0, y0: cy0, x1: cx1, y1: cy1 };
  }
}

function channels(format: PixelFormat): number {
  return format === 'rgba' ? 4 : 3;
}
