/**
 * The `segmentation` object of frame records and `segment --json`: class
 * shares, and each class's pixels as COCO RLE. The expected strings are what
 * pycocotools' mask.encode returns for `(map == classId)` of the same map.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeRle } from '../src/core/rle.ts';
import { classRle, segmentationRecord } from '../src/core/segmentation-record.ts';

// 3 wide, 2 high:  0 1 1 / 2 1 0
const map = {
  width: 3,
  height: 2,
  classes: Uint8Array.of(0, 1, 1, 2, 1, 0),
  labels: ['background', 'road'],
};

test('classes with pixels, fractions and, when asked, their RLE', () => {
  assert.equal(segmentationRecord(map), {
    width: 3,
    height: 2,
    classes: [
      { classId: 0, label: 'background', pixels: 2, fraction: 0.333333 },
      { classId: 1, label: 'road', pixels: 3, fraction: 0.5 },
      // An id without a label prints as the id.
      { classId: 2, label: '2', pixels: 1, fraction: 0.166667 },
    ],
  });
  const withRle = segmentationRecord(map, { rle: true });
  assert.equal(
    withRle.classes.map((c) => c.mask),
    [
      // Column-major: 0 2 | 1 1 | 1 0.
      { size: [2, 3], counts: '0140' }, // runs 0, 1, 4, 1 (first pixel set)
      { size: [2, 3], counts: '231' }, // runs 2, 3, 1
      { size: [2, 3], counts: '114' }, // runs 1, 1, 4
    ],
  );
});

test('a class RLE decodes to exactly that class’s pixels', () => {
  const w = 37;
  const h = 29;
  const classes = new Uint8Array(w * h);
  for (let i = 0; i < classes.length; i++) classes[i] = (i * 7919) % 5;
  const big = { width: w, height: h, classes, labels: [] };
  for (let c = 0; c < 5; c++) {
    const m = decodeRle(classRle(big, c));
    assert.ok(
      m.data.every((v, i) => v === (classes[i] === c ? 1 : 0)),
      `class ${c}`,
    );
  }
  // A class absent from the map is one run of 29 × 37 = 1073 zeros: groups 17, 1, 1
  // ('a' and 'Q' carry the continuation bit; 17 has the 0x10 bit, so one more group).
  assert.equal(classRle(big, 9), { size: [h, w], counts: 'aQ1' });
});

test.run();
