/**
 * COCO run-length encoding (pycocotools' maskApi): runs of 0s and 1s
 * alternating, starting with 0s, over the mask in column-major order. The
 * compressed form packs the runs as 5-bit groups in characters from '0', each
 * run after the second stored as the difference to the run two before it.
 */
export function decodeRleCounts(counts: string | number[]): number[] {
  if (typeof counts !== 'string') return counts;
  const runs: number[] = [];
  let p = 0;
  while (p < counts.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more && p < counts.length) {
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

/** The mask as RGBA pixels of one colour (row-major, what ImageData holds). */
export function rleToImageData(
  rle: { size: [number, number]; counts: string | number[] },
  rgb: [number, number, number],
  alpha: number,
): ImageData | undefined {
  const [h, w] = rle.size;
  if (!(h > 0 && w > 0) || h * w > 16_000_000) return undefined;
  const image = new ImageData(w, h);
  const px = image.data;
  let i = 0;
  let on = false;
  for (const run of decodeRleCounts(rle.counts)) {
    if (on) {
      for (let j = i; j < i + run && j < h * w; j++) {
        // Column-major index j is pixel (x, y) = (j / h, j % h).
        const at = ((j % h) * w + Math.floor(j / h)) * 4;
        px[at] = rgb[0];
        px[at + 1] = rgb[1];
        px[at + 2] = rgb[2];
        px[at + 3] = alpha;
      }
    }
    i += run;
    on = !on;
  }
  return image;
}
