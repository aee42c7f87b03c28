import type { GeometryTransform } from '../core/frame.ts';
import type { AlphaMask, MaskRect } from './surface.ts';

/**
 * Where a bitmap of source-frame pixels (`width × height` cells at source
 * `(x, y)`) lands in frame pixels: `frame = source·scale + offset`.
 */
export function frameRect(
  x: number,
  y: number,
  width: number,
  height: number,
  tf: GeometryTransform | undefined,
): MaskRect {
  const sx = tf?.scaleX ?? 1;
  const sy = tf?.scaleY ?? 1;
  return {
    x: x * sx + (tf?.offsetX ?? 0),
    y: y * sy + (tf?.offsetY ?? 0),
    width: width * sx,
    height: height * sy,
  };
}

/**
 * The pixel window a mask covers and, per frame column and row inside it, the
 * mask column and row to read (nearest neighbour). Computed into reusable
 * buffers, so blending a mask allocates nothing once the buffers have grown to
 * the frame size.
 */
export class MaskSampler {
  /** Clipped window in frame pixels, half-open. */
  x0 = 0;
  x1 = 0;
  y0 = 0;
  y1 = 0;
  /** `cols[x]` is the mask column for frame column x (valid in [x0, x1)). */
  cols = new Int32Array(0);
  /** `rows[y]` is the mask row offset (row × width) for frame row y (valid in [y0, y1)). */
  rows = new Int32Array(0);
  /** One frame pixel per mask cell (no scaling): `cols[x] = cols[x0] + (x − x0)`. */
  unit = false;

  /** Prepares the window for `mask` at `rect` in a `width × height` frame; false when nothing shows. */
  prepare(mask: AlphaMask, rect: MaskRect, width: number, height: number): boolean {
    // Round the destination once so a 1:1 placement samples the mask exactly.
    const rx0 = Math.round(rect.x);
    const ry0 = Math.round(rect.y);
    const rw = Math.round(rect.x + rect.width) - rx0;
    const rh = Math.round(rect.y + rect.height) - ry0;
    if (rw <= 0 || rh <= 0 || mask.width <= 0 || mask.height <= 0) return false;
    this.x0 = Math.max(0, rx0);
    this.x1 = Math.min(width, rx0 + rw);
    this.y0 = Math.max(0, ry0);
    this.y1 = Math.min(height, ry0 + rh);
    if (this.x0 >= this.x1 || this.y0 >= this.y1) return false;
    if (this.cols.length < width) this.cols = new Int32Array(width);
    if (this.rows.length < height) this.rows = new Int32Array(height);
    const sx = mask.width / rw;
    const sy = mask.height / rh;
    this.unit = rw === mask.width && rh === mask.height;
    const lastCol = mask.width - 1;
    const lastRow = mask.height - 1;
    for (let x = this.x0; x < this.x1; x++) {
      this.cols[x] = Math.min(lastCol, Math.floor((x - rx0 + 0.5) * sx));
    }
    for (let y = this.y0; y < this.y1; y++) {
      this.rows[y] = Math.min(lastRow, Math.floor((y - ry0 + 0.5) * sy)) * mask.width;
    }
    return true;
  }
}
