/**
 * Bilinear resampling of one 8-bit image plane (1 or more interleaved channels)
 * into a rectangle of a destination plane. The coordinate tables are computed
 * once per geometry and reused for every frame of the stream.
 */
export interface PlaneGeometry {
  srcWidth: number;
  srcHeight: number;
  /** Size of the resampled rectangle. */
  dstWidth: number;
  dstHeight: number;
}

export interface ResampleTables {
  readonly geometry: PlaneGeometry;
  /** For each destination column: left source column and its weight ×256 for the right one. */
  readonly x0: Int32Array;
  readonly wx: Uint16Array;
  readonly y0: Int32Array;
  readonly wy: Uint16Array;
}

export function resampleTables(g: PlaneGeometry): ResampleTables {
  const axis = (src: number, dst: number) => {
    const i0 = new Int32Array(dst);
    const w = new Uint16Array(dst);
    const ratio = src / dst;
    for (let d = 0; d < dst; d++) {
      // Pixel centres aligned (half-pixel convention, as ffmpeg and OpenCV do).
      const s = Math.min(Math.max((d + 0.5) * ratio - 0.5, 0), src - 1);
      const lo = Math.min(Math.floor(s), Math.max(src - 2, 0));
      i0[d] = lo;
      w[d] = src === 1 ? 0 : Math.round((s - lo) * 256);
    }
    return { i0, w };
  };
  const x = axis(g.srcWidth, g.dstWidth);
  const y = axis(g.srcHeight, g.dstHeight);
  return { geometry: g, x0: x.i0, wx: x.w, y0: y.i0, wy: y.w };
}

/**
 * Resamples `src` (stride `srcStride` bytes, `channels` interleaved) into `dst`
 * at byte offset `dstOffset` with row stride `dstStride`.
 */
export function resamplePlane(
  t: ResampleTables,
  src: Uint8Array,
  srcStride: number,
  dst: Uint8Array,
  dstOffset: number,
  dstStride: number,
  channels: number,
): void {
  const { dstWidth, dstHeight, srcWidth, srcHeight } = t.geometry;
  const { x0, wx, y0, wy } = t;
  const lastCol = srcWidth - 1;
  const lastRow = srcHeight - 1;
  for (let dy = 0; dy < dstHeight; dy++) {
    const sy = y0[dy]!;
    const fy = wy[dy]!;
    const row0 = sy * srcStride;
    const row1 = Math.min(sy + 1, lastRow) * srcStride;
    let o = dstOffset + dy * dstStride;
    for (let dx = 0; dx < dstWidth; dx++) {
      const sx = x0[dx]!;
      const fx = wx[dx]!;
      const a = sx * channels;
      const b = Math.min(sx + 1, lastCol) * channels;
      for (let c = 0; c < channels; c++) {
        const top = src[row0 + a + c]! * (256 - fx) + src[row0 + b + c]! * fx;
        const bottom = src[row1 + a + c]! * (256 - fx) + src[row1 + b + c]! * fx;
        dst[o++] = (top * (256 - fy) + bottom * fy + 32768) >> 16;
      }
    }
  }
}
