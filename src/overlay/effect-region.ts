import type { Detections } from '../core/detections.ts';
import type { GeometryTransform } from '../core/frame.ts';
import type { SemanticMap } from '../core/segmentation.ts';
import { frameRect, MaskSampler } from './mask-sampling.ts';

/**
 * Which frame pixels an effect applies to: one byte per frame pixel (1: apply),
 * plus the bounding rectangle of those pixels, so the effect only ever touches
 * that rectangle. Built from the semantic map's chosen classes and the chosen
 * detections' instance masks (both in source pixels, placed through the
 * transform), or from their complement (the background). Buffers are reused;
 * only the previous rectangle is cleared.
 */
export class EffectRegion {
  cells = new Uint8Array(0);
  width = 0;
  height = 0;
  /** Bounding rectangle of the cells set, half-open; empty when x0 >= x1. */
  x0 = 0;
  y0 = 0;
  x1 = 0;
  y1 = 0;
  readonly #sampler = new MaskSampler();

  /** Starts a new frame: nothing selected. */
  reset(width: number, height: number): void {
    if (this.width !== width || this.height !== height) {
      this.cells = new Uint8Array(width * height);
      this.width = width;
      this.height = height;
    } else if (this.x0 < this.x1) {
      for (let y = this.y0; y < this.y1; y++) {
        this.cells.fill(0, y * width + this.x0, y * width + this.x1);
      }
    }
    this.x0 = width;
    this.y0 = height;
    this.x1 = 0;
    this.y1 = 0;
  }

  /** Selects the pixels whose class `chosen[id]` is 1. */
  addClasses(map: SemanticMap, chosen: Uint8Array, tf: GeometryTransform | undefined): void {
    const rect = frameRect(0, 0, map.width, map.height, tf);
    const cells = { data: map.classes, width: map.width, height: map.height, maxValue: 1 };
    if (!this.#sampler.prepare(cells, rect, this.width, this.height)) return;
    this.#add(map.classes, chosen);
  }

  /** Selects instance `i`'s mask pixels, or its box when it has no mask and `boxes` is set. */
  addDetection(d: Detections, i: number, tf: GeometryTransform | undefined, boxes: boolean): void {
    const m = d.masks?.[i];
    if (m) {
      const rect = frameRect(m.x, m.y, m.width, m.height, tf);
      const cells = { data: m.data, width: m.width, height: m.height, maxValue: 1 };
      if (this.#sampler.prepare(cells, rect, this.width, this.height)) {
        this.#add(m.data, NON_ZERO);
      }
      return;
    }
    if (!boxes) return;
    const b = d.boxes;
    const r = frameRect(
      b[4 * i]!,
      b[4 * i + 1]!,
      b[4 * i + 2]! - b[4 * i]!,
      b[4 * i + 3]! - b[4 * i + 1]!,
      tf,
    );
    // Every pixel the box touches.
    const x0 = Math.max(0, Math.floor(r.x));
    const y0 = Math.max(0, Math.floor(r.y));
    const x1 = Math.min(this.width, Math.ceil(r.x + r.width));
    const y1 = Math.min(this.height, Math.ceil(r.y + r.height));
    if (!(x0 < x1 && y0 < y1)) return;
    for (let y = y0; y < y1; y++) this.cells.fill(1, y * this.width + x0, y * this.width + x1);
    this.#grow(x0, y0, x1, y1);
  }

  /** Turns the selection into its complement over the whole frame (the background). */
  invert(): void {
    const c = this.cells;
    for (let i = 0; i < c.length; i++) c[i] = c[i]! ^ 1;
    this.x0 = 0;
    this.y0 = 0;
    this.x1 = this.width;
    this.y1 = this.height;
  }

  get empty(): boolean {
    return this.x0 >= this.x1;
  }

  /** Sets the cells the sampler's window maps onto where `select[cell value]` is 1. */
  #add(data: Uint8Array, select: Uint8Array): void {
    const { cols, rows, x0, x1, y0, y1 } = this.#sampler;
    const out = this.cells;
    const w = this.width;
    let bx0 = w;
    let bx1 = 0;
    let by0 = this.height;
    let by1 = 0;
    const unit = this.#sampler.unit;
    for (let y = y0; y < y1; y++) {
      const row = y * w;
      let first = -1;
      let last = -1;
      if (unit) {
        // Unscaled (the common case: a map of the frame itself): straight indexing.
        const shift = rows[y]! + cols[x0]! - x0;
        for (let x = x0; x < x1; x++) {
          if (select[data[shift + x]!] === 0) continue;
          out[row + x] = 1;
          if (first < 0) first = x;
          last = x;
        }
      } else {
        const mr = rows[y]!;
        for (let x = x0; x < x1; x++) {
          if (select[data[mr + cols[x]!]!] === 0) continue;
          out[row + x] = 1;
          if (first < 0) first = x;
          last = x;
        }
      }
      if (first < 0) continue;
      if (first < bx0) bx0 = first;
      if (last >= bx1) bx1 = last + 1;
      if (y < by0) by0 = y;
      by1 = y + 1;
    }
    if (bx0 < bx1) this.#grow(bx0, by0, bx1, by1);
  }

  #grow(x0: number, y0: number, x1: number, y1: number): void {
    this.x0 = Math.min(this.x0, x0);
    this.y0 = Math.min(this.y0, y0);
    this.x1 = Math.max(this.x1, x1);
    this.y1 = Math.max(this.y1, y1);
  }
}

/** A mask cell's value → selected: anything but 0. */
const NON_ZERO = Uint8Array.from({ length: 256 }, (_, v) => (v === 0 ? 0 : 1));
