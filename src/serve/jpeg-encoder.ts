import type { Frame } from '../core/frame.ts';

/** JPEG quality, 0–100: small pictures for a live view, not archive quality. */
const QUALITY = 75;

type CanvasModule = typeof import('@napi-rs/canvas');

/**
 * Encodes frames to JPEG for `video: jpeg` subscribers, with @napi-rs/canvas
 * (Skia; the compression itself runs off the main thread). Loaded on first
 * use, so a feed without JPEG viewers never loads it. One canvas and one RGBA
 * buffer are reused while the size stays the same.
 */
export class JpegEncoder {
  #canvas: import('@napi-rs/canvas').Canvas | undefined;
  #rgba: Uint8ClampedArray | undefined;
  #module: CanvasModule | undefined;

  /** The JPEG file of `frame`'s pixels (yuv420p, rgb24 or rgba). */
  async encode(frame: Frame): Promise<Buffer> {
    this.#module ??= await import('@napi-rs/canvas');
    const { width, height } = frame;
    if (!this.#canvas || this.#canvas.width !== width || this.#canvas.height !== height) {
      this.#canvas = this.#module.createCanvas(width, height);
      this.#rgba = new Uint8ClampedArray(width * height * 4);
    }
    const rgba = this.#rgba!;
    toRgba(frame, rgba);
    const image = new this.#module.ImageData(rgba, width, height);
    this.#canvas.getContext('2d').putImageData(image, 0, 0);
    return this.#canvas.encode('jpeg', QUALITY);
  }
}

/** BT.601 limited range to RGB, in 16.16 fixed point (what ffmpeg's yuv420p output is). */
function toRgba(frame: Frame, out: Uint8ClampedArray): void {
  const { width: w, height: h, data } = frame;
  if (frame.format === 'rgba') {
    out.set(data.subarray(0, w * h * 4));
    return;
  }
  if (frame.format === 'rgb24') {
    for (let i = 0, j = 0; i < w * h * 3; i += 3, j += 4) {
      out[j] = data[i]!;
      out[j + 1] = data[i + 1]!;
      out[j + 2] = data[i + 2]!;
      out[j + 3] = 255;
    }
    return;
  }
  const cw = Math.ceil(w / 2);
  const uBase = w * h;
  const vBase = uBase + cw * Math.ceil(h / 2);
  for (let y = 0; y < h; y++) {
    const row = (y >> 1) * cw;
    let o = y * w * 4;
    for (let x = 0; x < w; x++, o += 4) {
      const c = 76309 * (data[y * w + x]! - 16);
      const u = data[uBase + row + (x >> 1)]! - 128;
      const v = data[vBase + row + (x >> 1)]! - 128;
      out[o] = (c + 104597 * v) >> 16;
      out[o + 1] = (c - 25675 * u - 53279 * v) >> 16;
      out[o + 2] = (c + 132201 * u) >> 16;
      out[o + 3] = 255;
    }
  }
}
