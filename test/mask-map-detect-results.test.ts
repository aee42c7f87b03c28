/**
 * The model path of mask mAP: Detections carrying instance masks, written by
 * `toList(sourceSize)` as COCO RLE the way `detect --json` prints them, joined to a
 * COCO dataset by runEvaluation and scored by mask IoU (hand-computed).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Detections } from '../src/core/detections.ts';
import { parseCocoAnnotations } from '../src/eval/loaders/coco-json.ts';
import { runEvaluation } from '../src/eval/run-evaluation.ts';

// A 10×8 image with one person: the polygon (2,1)-(6,5) covers pixels x 2..5, y 1..4 (16).
const dataset = parseCocoAnnotations(
  {
    images: [{ id: 3, file_name: 'val/p.png', width: 10, height: 8 }],
    annotations: [
      {
        image_id: 3,
        category_id: 1,
        bbox: [2, 1, 4, 4],
        area: 16,
        segmentation: [[2, 1, 6, 1, 6, 5, 2, 5]],
      },
    ],
    categories: [{ id: 1, name: 'person' }],
  },
  { masks: true },
);

// The model's mask: rows 1..3 of the object (12 px) and one pixel of row 4, cropped to the box.
const data = new Uint8Array(16);
data.fill(1, 0, 12);
data[12] = 1;
const detections = new Detections({
  boxes: Float32Array.of(2, 1, 6, 5),
  scores: Float32Array.of(0.9),
  classIds: Int32Array.of(0),
  names: ['person'],
  masks: [{ x: 2, y: 1, width: 4, height: 4, data }],
});
const results = [{ image: 'p.png', detections: detections.toList({ width: 10, height: 8 }) }];

test('detections with masks: mask IoU 13/16 = 0.8125, a hit for IoU 0.50 … 0.80', () => {
  const r = runEvaluation(results, dataset, { iouType: 'segm' }).result;
  assert.is(r.iouType, 'segm');
  // TP at 7 of the 10 thresholds, with one object and one detection: AP 0.7.
  assert.ok(Math.abs(r.map - 0.7) < 1e-9, `${r.map}`);
  assert.ok(Math.abs(r.map50 - 1) < 1e-9);
  assert.ok(Math.abs(r.map75 - 1) < 1e-9);
  // The box is the object's box exactly: box AP is 1.
  const boxes = runEvaluation(results, dataset).result;
  assert.ok(Math.abs(boxes.map - 1) < 1e-9, `${boxes.map}`);
});

test('a result mask of another frame size than the dataset image is refused', () => {
  const wrong = [{ image: 'p.png', detections: detections.toList({ width: 12, height: 8 }) }];
  assert.throws(
    () => runEvaluation(wrong, dataset, { iouType: 'segm' }),
    /RLE size is 8×12 .* image is 8×10/,
  );
});

test.run();
