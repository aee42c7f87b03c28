/**
 * An instance mask: a bitmap cropped to the object, one cell per source-frame
 * pixel. Cell `(c, r)` covers source pixel `(x + c, y + r)`; 1 inside the
 * object, 0 outside. Never a full-frame array per object: a mask is as large
 * as its object's box, and COCO RLE (`rle.ts`) is how it leaves the process.
 */
export interface InstanceMask {
  /** Left and top of the bitmap, in source-frame pixels (integers, inside the frame). */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** `width × height` cells, row-major, 0 or 1. */
  readonly data: Uint8Array;
}

/** Pixels inside the mask. */
export function maskArea(m: InstanceMask): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) n += m.data[i]!;
  return n;
}
