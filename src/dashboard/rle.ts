import { decompressRuns } from '../core/rle.ts';

/**
 * The run lengths of a COCO RLE's counts: the compressed string form is
 * decoded by the same code that writes it on the server (src/core/rle.ts has no
 * Node imports, so the bundle takes it as is); uncompressed counts pass through.
 */
export function decodeRleCounts(counts: string | number[]): number[] {
  return typeof counts === 'string' ? decompressRuns(counts) : counts;
}

/**
 * The mask as RGBA pixels of one colour (row-major, what ImageData holds);
 * undefined for a mask that cannot be drawn (a nonsense size, a cut string),
 * so one bad message skips its mask instead of stopping the overlay.
 */
export function rleToImageData(
  rle: { size: [number, number]; counts: string | number[] },
  rgb: [number, number, number],
  alpha: number,
): ImageData | undefined {
  const [h, w] = rle.size;
  if (!(h > 0 && w > 0) || h * w > 16_000_000) return undefined;
  let runs: number[];
  try {
    runs = decodeRleCounts(rle.counts);
  } catch {
    return undefined;
  }
  const image = new ImageData(w, h);
  const px = image.data;
  let i = 0;
  let on = false;
  for (const run of runs) {
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
