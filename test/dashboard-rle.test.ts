/**
 * The dashboard's COCO RLE decoder (masks in detection messages). The
 * compressed strings were encoded by hand with pycocotools' rleToString
 * algorithm (5-bit groups from '0', a continuation bit, runs after the second
 * stored as the difference to the run two before).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeRleCounts, rleToImageData } from '../src/dashboard/rle.ts';

test('compressed counts decode to the runs they encode', () => {
  const cases: [string, number[]][] = [
    // one character per small run
    ['234', [2, 3, 4]],
    // 40 needs two groups ('X' then '1'); the 4th run is stored as 2 - 40 = -38 ('j', 'N')
    ['5X13jN', [5, 40, 3, 2]],
    // an empty mask of 6 pixels: one run of zeros
    ['6', [6]],
  ];
  for (const [text, runs] of cases) assert.equal(decodeRleCounts(text), runs, text);
  // Uncompressed counts pass through.
  assert.equal(decodeRleCounts([0, 2, 1, 1, 2]), [0, 2, 1, 1, 2]);
});

test('runs fill the mask column by column (COCO order), drawn row by row', () => {
  // ImageData is a browser type; a container of the same shape stands in for it here.
  (globalThis as { ImageData?: unknown }).ImageData ??= class {
    readonly data: Uint8ClampedArray;
    constructor(
      readonly width: number,
      readonly height: number,
    ) {
      this.data = new Uint8ClampedArray(width * height * 4);
    }
  };
  // 2 rows × 3 columns:  1 0 0 / 1 1 0. Column-major: 1 1 | 0 1 | 0 0 → runs 0, 2, 1, 1, 2.
  const image = rleToImageData({ size: [2, 3], counts: [0, 2, 1, 1, 2] }, [10, 20, 30], 99)!;
  const alpha = Array.from({ length: 6 }, (_, i) => image.data[i * 4 + 3]);
  assert.equal(alpha, [99, 0, 0, 99, 99, 0]);
  assert.equal(Array.from(image.data.subarray(0, 4)), [10, 20, 30, 99]);
  // A nonsense size draws nothing rather than allocating without bound.
  assert.is(rleToImageData({ size: [0, 3], counts: [] }, [0, 0, 0], 1), undefined);
  // So does a string cut inside a run ('X' promises another group): the overlay skips it.
  assert.is(rleToImageData({ size: [2, 3], counts: '5X' }, [0, 0, 0], 1), undefined);
});

test.run();
