/** runEvaluation (joining detect results to a dataset) and the printed report table. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Detection } from '../src/core/detection.ts';
import { formatReport } from '../src/eval/format-report.ts';
import { runEvaluation } from '../src/eval/run-evaluation.ts';
import type { AnnotationSet } from '../src/eval/types.ts';

// A COCO-style dataset: category ids 1 (person) and 18 (dog), 3 (car) never annotated.
const dataset: AnnotationSet = {
  images: [
    { id: 1, file: 'val/000001.jpg' },
    { id: 2, file: 'val/000002.jpg' },
    { id: 3, file: 'val/000003.jpg' },
  ],
  annotations: [
    { imageId: 1, classId: 1, box: [0, 0, 100, 200] },
    { imageId: 1, classId: 18, box: [200, 100, 300, 180] },
    { imageId: 2, classId: 1, box: [10, 10, 60, 110] },
    { imageId: 3, classId: 18, box: [0, 0, 50, 50] },
  ],
  categories: [
    { id: 1, name: 'person' },
    { id: 3, name: 'car' },
    { id: 18, name: 'dog' },
  ],
};

const det = (box: Detection['box'], score: number, classId: number, label: string): Detection => ({
  box,
  score,
  classId,
  label,
});

// A COCO-80 detector: person is 0, dog is 16; labels carry the names.
const results = [
  {
    image: '/data/coco/val/000001.jpg',
    detections: [
      det([0, 0, 100, 200], 0.9, 0, 'person'),
      det([200, 100, 300, 180], 0.8, 16, 'dog'),
    ],
  },
  {
    image: '000002.jpg',
    detections: [det([10, 10, 60, 110], 0.7, 0, 'person'), det([5, 5, 9, 9], 0.6, 9, 'zebra')],
  },
  { image: 'elsewhere/999.jpg', detections: [det([0, 0, 1, 1], 0.9, 0, 'person')] },
];

test('results join images by file name and classes by label; leftovers are reported', () => {
  const report = runEvaluation(results, dataset, { scoreThreshold: 0.5 });
  assert.equal(report.resultsWithoutImage, ['elsewhere/999.jpg']);
  assert.equal(report.imagesWithoutResults, ['val/000003.jpg']);
  // "zebra" is no category, and its class id 9 is none either: counted, not evaluated.
  assert.equal(report.unknownLabels, { zebra: 1 });
  const r = report.result;
  const ap = Object.fromEntries(r.perClass.map((c) => [c.classId, c.ap]));
  assert.ok(Math.abs(ap[1]! - 1) < 1e-9, 'person found twice of two');
  // dog: 1 of 2 found (image 3 has no result) → AP = 51·1/101 (recall points 0….5)
  assert.ok(Math.abs(ap[18]! - 51 / 101) < 1e-9, `dog ${ap[18]}`);
  assert.is(ap[3], -1);
  assert.is(r.images, 3);
  assert.equal(
    { tp: r.atThreshold.tp, fp: r.atThreshold.fp, fn: r.atThreshold.fn },
    { tp: 3, fp: 0, fn: 1 },
  );
});

test('classMatch: label drops and counts unknown labels; id trusts the class ids', () => {
  const byLabel = runEvaluation(results, dataset, { classMatch: 'label' });
  assert.equal(byLabel.unknownLabels, { zebra: 1 });
  const byId = runEvaluation(results, dataset, { classMatch: 'id' });
  // With ids, the COCO-80 ids (0, 16, 9) match no category: every object is missed.
  assert.is(byId.result.map, 0);
  assert.equal(byId.unknownLabels, { person: 2, dog: 1, zebra: 1 });
});

test('formatReport: one row per class, dashes for absent classes, summary lines', () => {
  const text = formatReport(runEvaluation(results, dataset, { classMatch: 'label' }));
  const lines = text.split('\n');
  assert.match(lines[0]!, /^class\s+objects\s+AP\s+AP50\s+AP75\s+P@0\.5\s+R@0\.5$/);
  assert.match(text, /\nperson\s+2\s+1\.000\s+1\.000\s+1\.000\s+1\.000\s+1\.000\n/);
  assert.match(text, /\ncar\s+0\s+—\s+—\s+—\s+—\s+—\n/);
  assert.match(text, /\ndog\s+2\s+0\.505/);
  assert.match(text, /\nall\s+4\s+0\.752/);
  assert.match(text, /mAP@\[\.50:\.95\] 0\.752 {3}mAP@\.50 0\.752/);
  assert.match(text, /3 images, 3 TP, 0 FP, 1 FN at score ≥ 0\.5, IoU ≥ 0\.5/);
  assert.match(text, /warning: 1 dataset images had no detect result/);
  assert.match(text, /warning: labels not in the dataset: zebra \(1\)/);
  // Columns line up: every table row has the same width.
  const table = lines.slice(0, lines.indexOf(''));
  assert.is(new Set(table.map((l) => [...l].length)).size, 1);
});

test.run();
