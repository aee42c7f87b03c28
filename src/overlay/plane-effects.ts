/**
 * One 8-bit channel of a frame: a yuv420p plane (`step` 1) or one channel of
 * interleaved RGB (`step` 3 or 4). Byte of pixel (x, y): `offset + y·stride + x·step`.
 */
export interface Plane {
  readonly offset: number;
  readonly step: number;
  readonly stride: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Where on a plane an effect applies: `cells[y·width + x]` is 1 for the pixels
 * to change (width and height are the plane's), all of them inside the
 * half-open rectangle.
 */
export interface PlaneRegion {
  readonly cells: Uint8Array;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Scratch grown to the largest rectangle seen, shared by every plane. */
export class BlurScratch {
  rows = new Uint32Array(0);
  column = new Uint32Array(0);
  widths = new Uint32Array(0);
}

/**
 * Box blur of radius `r`: each selected pixel becomes the mean of the
 * (2r+1)² window around it, the window clipped to the plane, rounded
 * (`round(sum / count)`). The means are taken over the original pixels, selected
 * or not, as running sums, a row pass then a column pass, over the region's
 * rectangle grown by r rows: the cost does not depend on r, and nothing outside
 * the rectangle is read beyond those rows nor written at all.
 */
export function boxBlur(
  d: Uint8Array,
  p: Plane,
  region: PlaneRegion,
  r: number,
  scratch: BlurScratch,
): void {
  const { x0, x1, y0, y1, cells } = region;
  if (!(x0 < x1 && y0 < y1) || r <= 0) return;
  const bw = x1 - x0;
  const ey0 = Math.max(0, y0 - r);
  const ey1 = Math.min(p.height, y1 + r);
  const need = bw * (ey1 - ey0);
  if (scratch.rows.length < need) scratch.rows = new Uint32Array(need);
  if (scratch.column.length < bw) scratch.column = new Uint32Array(bw);
  const rows = scratch.rows;
  const step = p.step;
  const last = p.width - 1;
  // Row pass: horizontal window sums for columns [x0, x1) of rows [ey0, ey1).
  for (let y = ey0; y < ey1; y++) {
    const base = p.offset + y * p.stride;
    const out = (y - ey0) * bw;
    let sum = 0;
    for (let x = Math.max(0, x0 - r); x <= Math.min(last, x0 + r); x++) sum += d[base + x * step]!;
    rows[out] = sum;
    for (let x = x0 + 1; x < x1; x++) {
      if (x + r <= last) sum += d[base + (x + r) * step]!;
      if (x - r - 1 >= 0) sum -= d[base + (x - r - 1) * step]!;
      rows[out + x - x0] = sum;
    }
  }
  // Column pass: a running sum of those rows per column, written where selected.
  const column = scratch.column;
  column.fill(0, 0, bw);
  for (let y = Math.max(0, y0 - r); y <= Math.min(p.height - 1, y0 + r); y++) {
    const row = (y - ey0) * bw;
    for (let i = 0; i < bw; i++) column[i] = column[i]! + rows[row + i]!;
  }
  // Window widths per column (clipped at the plane's edges).
  if (scratch.widths.length < bw) scratch.widths = new Uint32Array(bw);
  const widths = scratch.widths;
  for (let x = x0; x < x1; x++) widths[x - x0] = Math.min(last, x + r) - Math.max(0, x - r) + 1;
  for (let y = y0; y < y1; y++) {
    if (y > y0) {
      const add = y + r < p.height ? (y + r - ey0) * bw : -1;
      const sub = y - r - 1 >= 0 ? (y - r - 1 - ey0) * bw : -1;
      if (add >= 0 && sub >= 0) {
        for (let i = 0; i < bw; i++) column[i] = column[i]! + rows[add + i]! - rows[sub + i]!;
      } else if (add >= 0) {
        for (let i = 0; i < bw; i++) column[i] = column[i]! + rows[add + i]!;
      } else if (sub >= 0) {
        for (let i = 0; i < bw; i++) column[i] = column[i]! - rows[sub + i]!;
      }
    }
    const rowCount = Math.min(p.height - 1, y + r) - Math.max(0, y - r) + 1;
    const base = p.offset + y * p.stride;
    const cellRow = y * p.width;
    for (let x = x0; x < x1; x++) {
      if (cells[cellRow + x] === 0) continue;
      const i = x - x0;
      // A division, not reciprocals: exact halves must round up as round(sum / count) does.
      d[base + x * step] = Math.round(column[i]! / (rowCount * widths[i]!));
    }
  }
}

/**
 * Pixelation: the plane is cut into `b × b` blocks from its top-left corner;
 * each selected pixel becomes its block's mean (all of the block's pixels,
 * selected or not, the block clipped to the plane), rounded.
 */
export function pixelate(d: Uint8Array, p: Plane, region: PlaneRegion, b: number): void {
  const { x0, x1, y0, y1, cells } = region;
  if (!(x0 < x1 && y0 < y1)) return;
  const step = p.step;
  for (let by = Math.floor(y0 / b) * b; by < y1; by += b) {
    const byEnd = Math.min(p.height, by + b);
    for (let bx = Math.floor(x0 / b) * b; bx < x1; bx += b) {
      const bxEnd = Math.min(p.width, bx + b);
      let any = false;
      for (let y = Math.max(by, y0); y < Math.min(byEnd, y1) && !any; y++) {
        const row = y * p.width;
        for (let x = Math.max(bx, x0); x < Math.min(bxEnd, x1); x++) {
          if (cells[row + x] !== 0) {
            any = true;
            break;
          }
        }
      }
      if (!any) continue;
      let sum = 0;
      for (let y = by; y < byEnd; y++) {
        const base = p.offset + y * p.stride;
        for (let x = bx; x < bxEnd; x++) sum += d[base + x * step]!;
      }
      const mean = Math.round(sum / ((byEnd - by) * (bxEnd - bx)));
      for (let y = by; y < byEnd; y++) {
        const base = p.offset + y * p.stride;
        const row = y * p.width;
        for (let x = bx; x < bxEnd; x++) if (cells[row + x] !== 0) d[base + x * step] = mean;
      }
    }
  }
}

/** Sets the selected pixels to `value`, or to the same pixel of `image` (a frame of the same layout). */
export function replace(
  d: Uint8Array,
  p: Plane,
  region: PlaneRegion,
  value: number,
  image?: Uint8Array,
): void {
  const { x0, x1, y0, y1, cells } = region;
  const step = p.step;
  for (let y = y0; y < y1; y++) {
    const base = p.offset + y * p.stride;
    const row = y * p.width;
    for (let x = x0; x < x1; x++) {
      if (cells[row + x] === 0) continue;
      const i = base + x * step;
      d[i] = image ? image[i]! : value;
    }
  }
}
