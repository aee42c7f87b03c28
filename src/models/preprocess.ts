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

/** Per output column (or row): the two source samples and the weight of the second. */
interface AxisMap {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w: Float32Array;
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
  readonly #x: AxisMap;
  readonly #y: AxisMap;
  /** Chroma-plane sampling for yuv420p (half resolution, centre-sited). */
  readonly #cx: AxisMap | undefined;
  readonly #cy: AxisMap | undefined;
  /** Output offset of the R, G and B values of a pixel, and the stride between pixels. */
  readonly #offsets: readonly [number, number, number];
  readonly #pixelStride: number;
  /** `out = value × gain[c] + bias[c]` (RGB order), from scale / mean / std. */
  readonly #gain: readonly [number, number, number];
  readonly #bias: readonly [number, number, number];

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

    this.#x = axisMap(lb.contentWidth, lb.scaleX, frame.width);
    this.#y = axisMap(lb.contentHeight, lb.scaleY, frame.height);
    if (frame.format === 'yuv420p') {
      this.#cx = chromaMap(lb.contentWidth, lb.scaleX, Math.ceil(frame.width / 2));
      this.#cy = chromaMap(lb.contentHeight, lb.scaleY, Math.ceil(frame.height / 2));
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
    if (f.format === 'yuv420p') this.#sampleYuv(pixels);
    else this.#samplePacked(pixels, f.format === 'rgba' ? 4 : 3);
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

  #sampleYuv(src: Uint8Array): void {
    const fw = this.#frame.width;
    const cw = Math.ceil(fw / 2);
    const uPlane = fw * this.#frame.height;
    const vPlane = uPlane + cw * Math.ceil(this.#frame.height / 2);
    const { i0: xa, i1: xb, w: xw } = this.#x;
    const { i0: cxa, i1: cxb, w: cxw } = this.#cx!;
    const cy = this.#cy!;
    const lb = this.letterbox;
    const W = this.#spec.width;
    const s = this.#pixelStride;
    const [oR, oG, oB] = this.#offsets;
    const [gR, gG, gB] = this.#gain;
    const [bR, bG, bB] = this.#bias;
    const out = this.#values;
    for (let dy = 0; dy < lb.contentHeight; dy++) {
      const r0 = this.#y.i0[dy]! * fw;
      const r1 = this.#y.i1[dy]! * fw;
      const wy = this.#y.w[dy]!;
      const c0 = cy.i0[dy]! * cw;
      const c1 = cy.i1[dy]! * cw;
      const wcy = cy.w[dy]!;
      let p = ((lb.contentY + dy) * W + lb.contentX) * s;
      for (let dx = 0; dx < lb.contentWidth; dx++, p += s) {
        const a = xa[dx]!;
        const b = xb[dx]!;
        const wx = xw[dx]!;
        const t = src[r0 + a]! + (src[r0 + b]! - src[r0 + a]!) * wx;
        const y = t + (src[r1 + a]! + (src[r1 + b]! - src[r1 + a]!) * wx - t) * wy;
        const ca = cxa[dx]!;
        const cb = cxb[dx]!;
        const cwx = cxw[dx]!;
        let u0 = uPlane + c0;
        let u1 = uPlane + c1;
        const ut = src[u0 + ca]! + (src[u0 + cb]! - src[u0 + ca]!) * cwx;
        const u = ut + (src[u1 + ca]! + (src[u1 + cb]! - src[u1 + ca]!) * cwx - ut) * wcy - 128;
        u0 = vPlane + c0;
        u1 = vPlane + c1;
        const vt = src[u0 + ca]! + (src[u0 + cb]! - src[u0 + ca]!) * cwx;
        const v = vt + (src[u1 + ca]! + (src[u1 + cb]! - src[u1 + ca]!) * cwx - vt) * wcy - 128;
        const l = (y - 16) * KY;
        out[p + oR] = clamp255(l + KRV * v) * gR + bR;
        out[p + oG] = clamp255(l - KGU * u - KGV * v) * gG + bG;
        out[p + oB] = clamp255(l + KBU * u) * gB + bB;
      }
    }
  }

  /** rgb24 (3 bytes a pixel) or rgba (4). */
  #samplePacked(src: Uint8Array, bpp: number): void {
    const row = this.#frame.width * bpp;
    const { i0: xa, i1: xb, w: xw } = this.#x;
    const lb = this.letterbox;
    const W = this.#spec.width;
    const s = this.#pixelStride;
    const [oR, oG, oB] = this.#offsets;
    const [gR, gG, gB] = this.#gain;
    const [bR, bG, bB] = this.#bias;
    const out = this.#values;
    for (let dy = 0; dy < lb.contentHeight; dy++) {
      const r0 = this.#y.i0[dy]! * row;
      const r1 = this.#y.i1[dy]! * row;
      const wy = this.#y.w[dy]!;
      let p = ((lb.contentY + dy) * W + lb.contentX) * s;
      for (let dx = 0; dx < lb.contentWidth; dx++, p += s) {
        const a = xa[dx]! * bpp;
        const b = xb[dx]! * bpp;
        const wx = xw[dx]!;
        for (let c = 0; c < 3; c++) {
          const t = src[r0 + a + c]! + (src[r0 + b + c]! - src[r0 + a + c]!) * wx;
          const v = t + (src[r1 + a + c]! + (src[r1 + b + c]! - src[r1 + a + c]!) * wx - t) * wy;
          if (c === 0) out[p + oR] = v * gR + bR;
          else if (c === 1) out[p + oG] = v * gG + bG;
          else out[p + oB] = v * gB + bB;
        }
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

function clamp255(v: number): number {
  return Math.min(Math.max(v, 0), 255);
}
