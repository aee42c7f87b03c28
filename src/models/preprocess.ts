import { frameByteLength, type PixelFormat } from '../core/frame.ts';
import { toFloat16Bits } from './float16.ts';
import { computeLetterbox, type Letterbox, type PadMode, type ResizeMode } from './letterbox.ts';

export type TensorLayout = 'NCHW' | 'NHWC';
export type InputDType = 'float32' | 'uint8' | 'float16';
export type ColorOrder = 'RGB' | 'BGR';

/** What a model wants its input to look like (from its descriptor). */
export interface PreprocessSpec {
  readonly width: number;
  readonly height: number;
  readonly layout: TensorLayout;
  readonly dtype: InputDType;
  readonly colorOrder: ColorOrder;
  readonly resize: ResizeMode;
  /** Pixel value (0–255, before normalization) of the letterbox padding. */
  readonly padValue: number;
  /** Where the letterbox puts the content (default centre). */
  readonly pad?: PadMode;
  /** `value = (pixel × scale − mean[c]) / std[c]`, channels in RGB order. Ignored for uint8. */
  readonly scale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** The stream facts that fix the preprocessing path; it is rebuilt only when they change. */
export interface FrameFormat {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
}

/** Tensor storage per input dtype (float16 as raw bits: Node 20 has no Float16Array). */
export type TensorData = Float32Array | Uint8Array | Uint16Array;

/** Per output row: the two source rows and the weight of the second. */
interface AxisMap {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w: Float32Array;
}

/**
 * Per output column: the first source sample and the weight of the next one, which
 * is always `i0 + 1` (a column clamped at the right edge is the sample before it
 * at weight 1, the same value), so the per-pixel loop loads two table entries, not
 * three. Weights as Float64, the same values as an `AxisMap`'s.
 */
interface ColumnMap {
  readonly i0: Int32Array;
  readonly w: Float64Array;
}

// BT.601 limited range ("tv"), ffmpeg's default for yuv420p → RGB.
const KY = 255 / 219;
const KRV = (255 / 224) * 1.402;
const KGU = (255 / 224) * 0.344136;
const KGV = (255 / 224) * 0.714136;
const KBU = (255 / 224) * 1.772;

/**
 * Turns frames of one stream format into the model's input tensor. Everything
 * that depends only on the format — the letterbox, the bilinear sampling tables,
 * the tensor and its padding — is computed once here; `run` only samples pixels.
 * YUV frames are converted to RGB at the sampled positions only (resampling the
 * Y, U and V planes directly), never as a full-frame conversion.
 */
export class Preprocessor {
  readonly letterbox: Letterbox;
  /** Tensor dims: `[1,3,H,W]` or `[1,H,W,3]`. */
  readonly dims: readonly number[];
  /** The tensor, reused for every frame: consume it before the next `run`. */
  readonly data: TensorData;
  readonly #values: Float32Array;
  readonly #spec: PreprocessSpec;
  readonly #frame: FrameFormat;
  readonly #x: ColumnMap;
  readonly #y: AxisMap;
  /** Chroma-plane sampling for yuv420p (half resolution, centre-sited). */
  readonly #cx: ColumnMap | undefined;
  readonly #cy: AxisMap | undefined;
  /** Output offset of the R, G and B values of a pixel, and the stride between pixels. */
  readonly #offsets: readonly [number, number, number];
  readonly #pixelStride: number;
  /** `out = value × gain[c] + bias[c]` (RGB order), from scale / mean / std. */
  readonly #gain: readonly [number, number, number];
  readonly #bias: readonly [number, number, number];
  /** gain 1 and bias 0 (raw 0–255 input, uint8): `× 1 + 0` would change nothing, so it is skipped. */
  readonly #identity: boolean;
  /**
   * Frames narrower than 3 pixels have a plane one sample wide, whose `i0 + 1` on the
   * last row is past the buffer: they are copied into this, one pixel longer, first.
   */
  readonly #padded: Uint8Array | undefined;

  /**
   * `shared`: allocate `data` in a SharedArrayBuffer, so an inference worker reads
   * the tensor where it is instead of receiving a copy (see `openWorkerSession`).
   */
  constructor(spec: PreprocessSpec, frame: FrameFormat, opts: { shared?: boolean } = {}) {
    this.#spec = spec;
    this.#frame = frame;
    const { width: W, height: H } = spec;
    this.letterbox = computeLetterbox(frame.width, frame.height, W, H, spec.resize, spec.pad);
    const lb = this.letterbox;
    this.dims = spec.layout === 'NCHW' ? [1, 3, H, W] : [1, H, W, 3];
    const n = 3 * W * H;
    const bytes = (perElement: number) =>
      opts.shared ? new SharedArrayBuffer(n * perElement) : new ArrayBuffer(n * perElement);
    this.#values = new Float32Array(spec.dtype === 'float32' ? bytes(4) : new ArrayBuffer(n * 4));
    this.data =
      spec.dtype === 'float32'
        ? this.#values
        : spec.dtype === 'uint8'
          ? new Uint8Array(bytes(1))
          : new Uint16Array(bytes(2));

    const channelStride = spec.layout === 'NCHW' ? W * H : 1;
    this.#pixelStride = spec.layout === 'NCHW' ? 1 : 3;
    const order = spec.colorOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
    this.#offsets = [
      order[0]! * channelStride,
      order[1]! * channelStride,
      order[2]! * channelStride,
    ];

    if (spec.dtype === 'uint8') {
      this.#gain = [1, 1, 1];
      this.#bias = [0, 0, 0];
    } else {
      const g = (c: number) => spec.scale / spec.std[c]!;
      const b = (c: number) => -spec.mean[c]! / spec.std[c]!;
      this.#gain = [g(0), g(1), g(2)];
      this.#bias = [b(0), b(1), b(2)];
    }

    this.#identity = this.#gain.every((g) => g === 1) && this.#bias.every((b) => b === 0);

    this.#x = columnMap(axisMap(lb.contentWidth, lb.scaleX, frame.width));
    this.#y = axisMap(lb.contentHeight, lb.scaleY, frame.height);
    if (frame.format === 'yuv420p') {
      this.#cx = columnMap(chromaMap(lb.contentWidth, lb.scaleX, Math.ceil(frame.width / 2)));
      this.#cy = chromaMap(lb.contentHeight, lb.scaleY, Math.ceil(frame.height / 2));
    }
    if (frame.width < 3) {
      this.#padded = new Uint8Array(frameByteLength(frame.format, frame.width, frame.height) + 4);
    }
    this.#fillPadding();
  }

  /** Does this preprocessor fit frames of `f`? (The stage rebuilds it when not.) */
  accepts(f: FrameFormat): boolean {
    return (
      f.width === this.#frame.width &&
      f.height === this.#frame.height &&
      f.format === this.#frame.format
    );
  }

  /** Fills the tensor from one frame's pixels and returns it (the same buffer every time). */
  run(pixels: Uint8Array): TensorData {
    const f = this.#frame;
    const need = frameByteLength(f.format, f.width, f.height);
    if (pixels.length < need) {
      throw new RangeError(
        `preprocess: a ${f.width}x${f.height} ${f.format} frame needs ${need} bytes, got ${pixels.length}`,
      );
    }
    let src = pixels;
    if (this.#padded) {
      this.#padded.set(pixels.subarray(0, need));
      src = this.#padded;
    }
    if (f.format === 'yuv420p') this.#sampleYuv(src);
    else this.#samplePacked(src, f.format === 'rgba' ? 4 : 3);
    this.#convert();
    return this.data;
  }

  /** The padding never changes for a stream, so it is written once; `run` overwrites only the content. */
  #fillPadding(): void {
    const pad = this.#spec.padValue;
    const W = this.#spec.width;
    const total = W * this.#spec.height;
    const [oR, oG, oB] = this.#offsets;
    const s = this.#pixelStride;
    const v = this.#values;
    for (let p = 0; p < total; p++) {
      v[p * s + oR] = pad * this.#gain[0] + this.#bias[0];
      v[p * s + oG] = pad * this.#gain[1] + this.#bias[1];
      v[p * s + oB] = pad * this.#gain[2] + this.#bias[2];
    }
    this.#convert();
  }

  /**
   * Per output pixel: bilinear Y from 4 luma samples, U and V from 4 chroma samples
   * each, then BT.601 to RGB. The two loops differ only in the normalization, which
   * the raw-pixel models (gain 1, bias 0) do without.
   */
  #sampleYuv(src: Uint8Array): void {
    const fw = this.#frame.width;
    const cw = Math.ceil(fw / 2);
    const uPlane = fw * this.#frame.height;
    const vPlane = uPlane + cw * Math.ceil(this.#frame.height / 2);
    const { i0: xa, w: xw } = this.#x;
    const { i0: cxa, w: cxw } = this.#cx!;
    const ry = this.#y;
    const cy = this.#cy!;
    const lb = this.letterbox;
    const W = this.#spec.width;
    const s = this.#pixelStride;
    const [oR, oG, oB] = this.#offsets;
    const [gR, gG, gB] = this.#gain;
    const [bR, bG, bB] = this.#bias;
    const out = this.#values;
    const n = lb.contentWidth;
    // Two horizontally adjacent samples in one load (little-endian: the left one low).
    const pairs = new DataView(src.buffer, src.byteOffset, src.byteLength);
    for (let dy = 0; dy < lb.contentHeight; dy++) {
      const r0 = ry.i0[dy]! * fw;
      const r1 = ry.i1[dy]! * fw;
      const wy = ry.w[dy]!;
      const u0 = uPlane + cy.i0[dy]! * cw;
      const u1 = uPlane + cy.i1[dy]! * cw;
      const v0 = vPlane + cy.i0[dy]! * cw;
      const v1 = vPlane + cy.i1[dy]! * cw;
      const wc = cy.w[dy]!;
      const p0 = ((lb.contentY + dy) * W + lb.contentX) * s;
      // Two copies of one loop on purpose: raw-pixel models (gain 1, bias 0, the
      // default detector) skip the multiply-add, and a branch per pixel would cost
      // more than it saves in the hottest loop of the pipeline.
      if (this.#identity) {
        for (let dx = 0, p = p0; dx < n; dx++, p += s) {
          const a = xa[dx]!;
          const wx = xw[dx]!;
          const l = (bilinear(pairs, r0 + a, r1 + a, wx, wy) - 16) * KY;
          const c = cxa[dx]!;
          const cwx = cxw[dx]!;
          const u = bilinear(pairs, u0 + c, u1 + c, cwx, wc) - 128;
          const v = bilinear(pairs, v0 + c, v1 + c, cwx, wc) - 128;
          out[p + oR] = clamp255(l + KRV * v);
          out[p + oG] = clamp255(l - KGU * u - KGV * v);
          out[p + oB] = clamp255(l + KBU * u);
        }
      } else {
        for (let dx = 0, p = p0; dx < n; dx++, p += s) {
          const a = xa[dx]!;
          const wx = xw[dx]!;
          const l = (bilinear(pairs, r0 + a, r1 + a, wx, wy) - 16) * KY;
          const c = cxa[dx]!;
          const cwx = cxw[dx]!;
          const u = bilinear(pairs, u0 + c, u1 + c, cwx, wc) - 128;
          const v = bilinear(pairs, v0 + c, v1 + c, cwx, wc) - 128;
          out[p + oR] = clamp255(l + KRV * v) * gR + bR;
          out[p + oG] = clamp255(l - KGU * u - KGV * v) * gG + bG;
          out[p + oB] = clamp255(l + KBU * u) * gB + bB;
        }
      }
    }
  }

  /** rgb24 (3 bytes a pixel) or rgba (4): per channel, bilinear from 4 samples. */
  #samplePacked(src: Uint8Array, bpp: number): void {
    const row = this.#frame.width * bpp;
    const { i0: xa, w: xw } = this.#x;
    const ry = this.#y;
    const lb = this.letterbox;
    const W = this.#spec.width;
    const s = this.#pixelStride;
    const [oR, oG, oB] = this.#offsets;
    const [gR, gG, gB] = this.#gain;
    const [bR, bG, bB] = this.#bias;
    const out = this.#values;
    const n = lb.contentWidth;
    // A pixel's R, G, B in one 4-byte load, its right neighbour's in another that
    // starts a byte early (on the pixel's B or alpha), so that it ends inside the row.
    const words = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const next = bpp - 1;
    for (let dy = 0; dy < lb.contentHeight; dy++) {
      const r0 = ry.i0[dy]! * row;
      const r1 = ry.i1[dy]! * row;
      const wy = ry.w[dy]!;
      for (let dx = 0, p = ((lb.contentY + dy) * W + lb.contentX) * s; dx < n; dx++, p += s) {
        const a0 = r0 + xa[dx]! * bpp;
        const a1 = r1 + xa[dx]! * bpp;
        const wx = xw[dx]!;
        const t0 = words.getInt32(a0, true);
        const t1 = words.getInt32(a0 + next, true);
        const b0 = words.getInt32(a1, true);
        const b1 = words.getInt32(a1 + next, true);
        const rt = lerp(t0 & 255, (t1 >> 8) & 255, wx);
        const gt = lerp((t0 >> 8) & 255, (t1 >> 16) & 255, wx);
        const bt = lerp((t0 >> 16) & 255, t1 >>> 24, wx);
        out[p + oR] = lerp(rt, lerp(b0 & 255, (b1 >> 8) & 255, wx), wy) * gR + bR;
        out[p + oG] = lerp(gt, lerp((b0 >> 8) & 255, (b1 >> 16) & 255, wx), wy) * gG + bG;
        out[p + oB] = lerp(bt, lerp((b0 >> 16) & 255, b1 >>> 24, wx), wy) * gB + bB;
      }
    }
  }

  /** float32 tensors are filled in place; uint8 and float16 ones are converted from the float values. */
  #convert(): void {
    const v = this.#values;
    const d = this.data;
    if (d === v) return;
    if (d instanceof Uint8Array) {
      for (let i = 0; i < v.length; i++) d[i] = Math.round(v[i]!); // Uint8Array clamps
    } else {
      for (let i = 0; i < v.length; i++) d[i] = toFloat16Bits(v[i]!);
    }
  }
}

/**
 * Bilinear sampling positions with pixel centres aligned (`align_corners=false`,
 * as OpenCV's INTER_LINEAR and ffmpeg's bilinear scaler): output pixel `d` samples
 * source position `(d + 0.5) / scale − 0.5`, clamped to the image.
 */
function axisMap(count: number, scale: number, size: number): AxisMap {
  return buildMap(count, size, (d) => (d + 0.5) / scale - 0.5);
}

/** The same positions on a half-resolution chroma plane whose samples sit between luma pairs. */
function chromaMap(count: number, scale: number, size: number): AxisMap {
  return buildMap(count, size, (d) => ((d + 0.5) / scale - 0.5 + 0.5) / 2 - 0.5);
}

function buildMap(count: number, size: number, at: (d: number) => number): AxisMap {
  const i0 = new Int32Array(count);
  const i1 = new Int32Array(count);
  const w = new Float32Array(count);
  for (let d = 0; d < count; d++) {
    const s = Math.min(Math.max(at(d), 0), size - 1);
    const a = Math.floor(s);
    i0[d] = a;
    i1[d] = Math.min(a + 1, size - 1);
    w[d] = s - a;
  }
  return { i0, i1, w };
}

/** The column form of an `AxisMap`: see `ColumnMap`. */
function columnMap(m: AxisMap): ColumnMap {
  const i0 = Int32Array.from(m.i0);
  const w = Float64Array.from(m.w);
  for (let d = 0; d < i0.length; d++) {
    if (m.i1[d] === m.i0[d] && m.i0[d]! > 0) {
      i0[d] = m.i0[d]! - 1;
      w[d] = 1;
    }
  }
  return { i0, w };
}

/**
 * Bilinear from the sample pairs at byte offsets `top` and `bottom` (each the left
 * sample and its right neighbour): across by `wx`, then down by `wy`.
 */
function bilinear(pairs: DataView, top: number, bottom: number, wx: number, wy: number): number {
  const t = pairs.getUint16(top, true);
  const b = pairs.getUint16(bottom, true);
  const above = lerp(t & 255, t >> 8, wx);
  return lerp(above, lerp(b & 255, b >> 8, wx), wy);
}

/** `a + (b − a)·w`: for integer samples, exactly `a` at w = 0 and `b` at w = 1. */
function lerp(a: number, b: number, w: number): number {
  return a + (b - a) * w;
}

function clamp255(v: number): number {
  return Math.min(Math.max(v, 0), 255);
}
