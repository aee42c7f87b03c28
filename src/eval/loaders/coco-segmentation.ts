/**
 * A COCO `segmentation` field as run lengths, read as pycocotools' `annToRLE`
 * reads it: a list of polygons (merged into one mask; a list whose first entry has
 * exactly four numbers is a list of `[x, y, w, h]` boxes, pycocotools' quirk), an
 * uncompressed RLE (`counts` an array, crowd regions in COCO) or a compressed one
 * (`counts` a string, what results files and `framewire detect --json` hold).
 */
import { FramewireError } from '../../core/errors.ts';
import { decompressRuns } from '../../core/rle.ts';
import { type MaskRuns, unionRuns } from '../mask-runs.ts';
import { boxToRuns, polygonToRuns } from '../polygon-runs.ts';

function fail(where: string, message: string, hint?: string): never {
  throw new FramewireError('USAGE', `COCO ${where}.segmentation: ${message}`, {
    fatal: true,
    ...(hint ? { hint } : {}),
  });
}

const isNumbers = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * `size`: the image's `[height, width]`, needed for polygons (an RLE carries its
 * own, which must agree with it when both are known).
 */
export function segmentationToRuns(
  segmentation: unknown,
  size: { height: number; width: number } | undefined,
  where: string,
): MaskRuns {
  if (Array.isArray(segmentation)) {
    if (!size) {
      fail(where, 'polygons need the image size', 'give the image "width" and "height"');
    }
    if (segmentation.length === 0)
      return { ...size, runs: Uint32Array.of(size.height * size.width) };
    if (!segmentation.every(isNumbers)) {
      fail(where, 'expected polygons [[x0, y0, x1, y1, …], …] or an RLE {size, counts}');
    }
    const polygons = segmentation as number[][];
    const asBoxes = polygons[0]!.length === 4;
    const parts = polygons.map((p, i) => {
      if (asBoxes && p.length !== 4) fail(where, `[${i}] is not a box like [0]`);
      return asBoxes
        ? boxToRuns(p, size.height, size.width)
        : polygonToRuns(p, size.height, size.width);
    });
    return unionRuns(parts, size.height, size.width);
  }
  if (!segmentation || typeof segmentation !== 'object') {
    fail(where, 'expected polygons [[x0, y0, …], …] or an RLE {size, counts}');
  }
  const rle = segmentation as { size?: unknown; counts?: unknown };
  if (
    !isNumbers(rle.size) ||
    rle.size.length !== 2 ||
    !rle.size.every((v) => v >= 0 && Number.isInteger(v))
  ) {
    fail(where, 'RLE "size" must be [height, width]');
  }
  const [height, width] = rle.size as [number, number];
  if (size && (size.height !== height || size.width !== width)) {
    fail(
      where,
      `RLE size is ${height}×${width} (height×width) but the image is ${size.height}×${size.width}`,
    );
  }
  let runs: number[];
  if (typeof rle.counts === 'string') {
    try {
      runs = decompressRuns(rle.counts);
    } catch (err) {
      fail(where, `RLE counts: ${(err as Error).message}`);
    }
  } else if (isNumbers(rle.counts) && rle.counts.every((c) => c >= 0 && Number.isInteger(c))) {
    runs = rle.counts;
  } else {
    fail(where, 'RLE "counts" must be a string (compressed) or an array of run lengths');
  }
  let total = 0;
  for (const r of runs) {
    if (r < 0) fail(where, 'RLE has a negative run');
    total += r;
  }
  if (total !== height * width) {
    fail(where, `RLE runs cover ${total} pixels, its ${height}×${width} size ${height * width}`);
  }
  return { height, width, runs: Uint32Array.from(runs) };
}
