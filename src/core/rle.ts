import type { InstanceMask } from './masks.ts';

/**
 * COCO run-length encoding, as pycocotools' maskApi writes it: the mask of an
 * `h × w` image read in column-major order as alternating runs of 0s and 1s,
 * starting with 0s (a mask whose first pixel is set starts with an empty run).
 * `counts` is the compressed string form (what `mask.encode` returns and COCO
 * result files hold); the uncompressed form is a plain array of run lengths.
 */
export interface CocoRle {
  size: [number, number];
  counts: string;
}

/** Run lengths of an instance mask placed in a `width × height` frame. */
export function maskToRuns(m: InstanceMask, width: number, height: number): number[] {
  const runs: number[] = [];
  let value = 0;
  let run = 0;
  // The part of the mask inside the frame (empty when it lies outside).
  const x0 = Math.min(width, Math.max(0, m.x));
  const x1 = Math.max(x0, Math.min(width, m.x + m.width));
  const y0 = Math.min(height, Math.max(0, m.y));
  const y1 = Math.max(y0, Math.min(height, m.y + m.height));
  // Columns left of the mask are all 0s: whole columns at a time.
  run += x0 * height;
  for (let x = x0; x < x1; x++) {
    // Rows above the mask are 0s.
    if (y0 > 0) {
      if (value === 1) {
        runs.push(run);
        run = 0;
        value = 0;
      }
      run += y0;
    }
    for (let i = (y0 - m.y) * m.width + (x - m.x), y = y0; y < y1; y++, i += m.width) {
      const v = m.data[i]! ? 1 : 0;
      if (v !== value) {
        runs.push(run);
        run = 0;
        value = v;
      }
      run++;
    }
    // Rows below the mask are 0s.
    if (y1 < height) {
      if (value === 1) {
        runs.push(run);
        run = 0;
        value = 0;
      }
      run += height - y1;
    }
  }
  // Columns right of the mask are all 0s.
  if (x1 < width) {
    if (value === 1) {
      runs.push(run);
      run = 0;
      value = 0;
    }
    run += (width - x1) * height;
  }
  runs.push(run);
  return runs;
}

/**
 * The compressed string of pycocotools' `rleToString`: each run (after the
 * first two, as the difference to the run two before it) in 5-bit groups,
 * least significant first, each group + 48 as a character, 0x20 marking "more
 * groups follow"; the last group's 0x10 bit carries the sign.
 */
export function compressRuns(runs: readonly number[]): string {
  let out = '';
  for (let i = 0; i < runs.length; i++) {
    let x = runs[i]!;
    if (i > 2) x -= runs[i - 2]!;
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out += String.fromCharCode(c + 48);
    }
  }
  return out;
}

/** Inverse of `compressRuns` (pycocotools' `rleFrString`). */
export function decompressRuns(counts: string): number[] {
  const runs: number[] = [];
  let p = 0;
  while (p < counts.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= counts.length) throw new RangeError('RLE counts string ends inside a run');
      const c = counts.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (runs.length > 2) x += runs[runs.length - 2]!;
    runs.push(x);
  }
  return runs;
}

/** An instance mask as the COCO RLE of its `width × height` source frame. */
export function encodeMask(m: InstanceMask, width: number, height: number): CocoRle {
  return { size: [height, width], counts: compressRuns(maskToRuns(m, width, height)) };
}

/** A COCO RLE (compressed or not) as a full-frame 0/1 bitmap, row-major. */
export function decodeRle(rle: { size: [number, number]; counts: string | number[] }): {
  width: number;
  height: number;
  data: Uint8Array;
} {
  const [height, width] = rle.size;
  const runs = typeof rle.counts === 'string' ? decompressRuns(rle.counts) : rle.counts;
  const data = new Uint8Array(width * height);
  let i = 0;
  let value = 0;
  for (const run of runs) {
    if (run < 0 || i + run > width * height) {
      throw new RangeError(`RLE runs exceed its ${height}×${width} size`);
    }
    if (value) {
      for (let k = i; k < i + run; k++) data[(k % height) * width + Math.floor(k / height)] = 1;
    }
    i += run;
    value = 1 - value;
  }
  return { width, height, data };
}
