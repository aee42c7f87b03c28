import type { Frame, GeometryTransform } from '../core/frame.ts';
import type { SemanticMap } from '../core/segmentation.ts';
import { blendTable } from './blend-table.ts';
import { frameRect, MaskSampler } from './mask-sampling.ts';
import { colourForId } from './palette.ts';

/**
 * Tints a frame with its semantic map, each class in its palette colour at
 * `opacity`, through the frame's transform (the map is in source pixels, so
 * after a resize it is stretched onto the resized picture; letterbox bars stay
 * as they are). Classes that `tinted` rejects are left alone. yuv420p chroma
 * follows the mask rule of the surfaces: a chroma sample inside one class is
 * blended like a luma pixel; one on a boundary takes each of its four luma
 * pixels' tint at a quarter of the weight.
 */
export class SemanticTinter {
  readonly #sampler = new MaskSampler();
  /** 256 tables of 256 entries per channel: class id → old value → blended value. */
  #luts: Uint8Array[] = [];
  #lutOpacity = Number.NaN;
  readonly #tinted = new Uint8Array(256);
  /** Scratch: count, U sum, V sum of one chroma sample's tinted luma pixels. */
  readonly #sum = new Int32Array(3);
  #labels: readonly string[] | undefined;

  constructor(
    readonly opacity: number,
    /** Whether a class (its id, its label) is drawn. */
    readonly tinted: (classId: number, label: string | undefined) => boolean,
  ) {}

  draw(frame: Frame, map: SemanticMap, transform: GeometryTransform | undefined): void {
    const a = this.opacity;
    if (a <= 0) return;
    const rect = frameRect(0, 0, map.width, map.height, transform);
    const cells = { data: map.classes, width: map.width, height: map.height, maxValue: 1 };
    if (!this.#sampler.prepare(cells, rect, frame.width, frame.height)) return;
    this.#chooseClasses(map.labels);
    this.#prepareTables(a);
    if (frame.format === 'yuv420p') this.#drawPlanar(frame, map.classes);
    else this.#drawPacked(frame, map.classes, frame.format === 'rgba' ? 4 : 3);
  }

  #chooseClasses(labels: readonly string[]): void {
    if (this.#labels === labels) return;
    this.#labels = labels;
    for (let id = 0; id < 256; id++) this.#tinted[id] = this.tinted(id, labels[id]) ? 1 : 0;
  }

  /** Tables for full-coverage pixels: [y, u, v, r, g, b] per class, made once per opacity. */
  #prepareTables(a: number): void {
    if (this.#lutOpacity === a) return;
    this.#lutOpacity = a;
    this.#luts = ['y', 'u', 'v', 'r', 'g', 'b'].map(() => new Uint8Array(256 * 256));
    for (let id = 0; id < 256; id++) {
      const c = colourForId(id);
      const values = [c.y, c.u, c.v, c.r, c.g, c.b];
      for (let k = 0; k < 6; k++) {
        blendTable(this.#luts[k]!.subarray(id * 256, id * 256 + 256), values[k]!, a);
      }
    }
  }

  #drawPlanar(frame: Frame, classes: Uint8Array): void {
    const { cols, rows, x0, x1, y0, y1 } = this.#sampler;
    const d = frame.data;
    const w = frame.width;
    const tinted = this.#tinted;
    const [ly, lu, lv] = this.#luts as [Uint8Array, Uint8Array, Uint8Array];
    for (let y = y0; y < y1; y++) {
      const mr = rows[y]!;
      const row = y * w;
      for (let x = x0; x < x1; x++) {
        const id = classes[mr + cols[x]!]!;
        if (tinted[id] === 0) continue;
        d[row + x] = ly[(id << 8) | d[row + x]!]!;
      }
    }
    const cw = Math.ceil(w / 2);
    const uOffset = w * frame.height;
    const vOffset = uOffset + cw * Math.ceil(frame.height / 2);
    const q = this.opacity / 4;
    for (let cy = y0 >> 1; cy < (y1 + 1) >> 1; cy++) {
      const ya = 2 * cy;
      const ra = ya >= y0 ? rows[ya]! : -1;
      const rb = ya + 1 < y1 ? rows[ya + 1]! : -1;
      for (let cx = x0 >> 1; cx < (x1 + 1) >> 1; cx++) {
        const xa = 2 * cx;
        const ca = xa >= x0 ? cols[xa]! : -1;
        const cb = xa + 1 < x1 ? cols[xa + 1]! : -1;
        const u = uOffset + cy * cw + cx;
        const v = vOffset + cy * cw + cx;
        // Most samples lie inside one class: all four luma pixels alike.
        if (ra >= 0 && rb >= 0 && ca >= 0 && cb >= 0) {
          const id = classes[ra + ca]!;
          if (classes[ra + cb] === id && classes[rb + ca] === id && classes[rb + cb] === id) {
            if (tinted[id] === 0) continue;
            d[u] = lu[(id << 8) | d[u]!]!;
            d[v] = lv[(id << 8) | d[v]!]!;
            continue;
          }
        }
        // Otherwise: the sum of the tinted luma pixels' colours, and how many there are.
        const t = this.#sum;
        t[0] = 0;
        t[1] = 0;
        t[2] = 0;
        if (ra >= 0) {
          this.#add(classes, ra, ca);
          this.#add(classes, ra, cb);
        }
        if (rb >= 0) {
          this.#add(classes, rb, ca);
          this.#add(classes, rb, cb);
        }
        const n = t[0]!;
        if (n === 0) continue;
        const su = t[1]!;
        const sv = t[2]!;
        const keep = 1 - q * n;
        d[u] = Math.round(q * su + keep * d[u]!);
        d[v] = Math.round(q * sv + keep * d[v]!);
      }
    }
  }

  /** Adds luma cell (row offset r, column c) to the chroma sums when it is inside and tinted. */
  #add(classes: Uint8Array, r: number, c: number): void {
    if (c < 0) return;
    const id = classes[r + c]!;
    if (this.#tinted[id] === 0) return;
    const colour = colourForId(id);
    const t = this.#sum;
    t[0] = t[0]! + 1;
    t[1] = t[1]! + colour.u;
    t[2] = t[2]! + colour.v;
  }

  #drawPacked(frame: Frame, classes: Uint8Array, n: number): void {
    const { cols, rows, x0, x1, y0, y1 } = this.#sampler;
    const d = frame.data;
    const stride = frame.width * n;
    const tinted = this.#tinted;
    const [, , , lr, lg, lb] = this.#luts as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    for (let y = y0; y < y1; y++) {
      const mr = rows[y]!;
      for (let x = x0; x < x1; x++) {
        const id = classes[mr + cols[x]!]!;
        if (tinted[id] === 0) continue;
        const i = y * stride + x * n;
        const base = id << 8;
        d[i] = lr[base | d[i]!]!;
        d[i + 1] = lg[base | d[i + 1]!]!;
        d[i + 2] = lb[base | d[i + 2]!]!;
      }
    }
  }
}
