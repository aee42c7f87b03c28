/**
 * Mask evaluation on hand cases: polygon rasterisation (pixels whose centre is
 * inside), RLE area / IoU / union on runs, crowd overlap, COCO segmentation
 * loading and its refusals, and a small segm mAP worked out by hand. Then the
 * rasteriser against pycocotools' `frPoly` on 160 stored random polygons.
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decompressRuns, encodeMask } from '../src/core/rle.ts';
import { evaluateDetections } from '../src/eval/evaluate.ts';
import { parseCocoAnnotations, parseCocoResults } from '../src/eval/loaders/coco-json.ts';
import { segmentationToRuns } from '../src/eval/loaders/coco-segmentation.ts';
import {
  type MaskRuns,
  maskIou,
  runsArea,
  runsBox,
  runsIntersection,
  runsSpan,
  unionRuns,
} from '../src/eval/mask-runs.ts';
import { polygonToRuns } from '../src/eval/polygon-runs.ts';
import type { GroundTruth, Prediction } from '../src/eval/types.ts';

/** Rows of '#' and '.' as runs (column-major), the way a test states a mask. */
function drawn(rows: string[]): MaskRuns {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) data[y * width + x] = row[x] === '#' ? 1 : 0;
  });
  const rle = encodeMask({ x: 0, y: 0, width, height, data }, width, height);
  return { height, width, runs: Uint32Array.from(decompressRuns(rle.counts)) };
}
const runs = (m: MaskRuns) => Array.from(m.runs);

test('a rectangle polygon covers the pixels whose centres lie inside it', () => {
  // x 1..4, y 1..3: centres x = 1.5, 2.5, 3.5 and y = 1.5, 2.5 are inside.
  const want = drawn(['.....', '.###.', '.###.', '.....', '.....']);
  assert.equal(runs(polygonToRuns([1, 1, 4, 1, 4, 3, 1, 3], 5, 5)), runs(want));
  // Fractional corners (1.2, 0.8)–(3.9, 2.6): the same centres, one row fewer below.
  const four = drawn(['.....', '.###.', '.###.', '.....']);
  assert.equal(runs(polygonToRuns([1.2, 0.8, 3.9, 0.8, 3.9, 2.6, 1.2, 2.6], 4, 5)), runs(four));
  assert.equal(runs(four), [5, 2, 2, 2, 2, 2, 5]);
});

test('a triangle: row 0 has centres x + .5 < 4, row 1 x + .5 < 2, row 2 none', () => {
  // Hypotenuse x/5 + y/2.5 = 1; centre (x + .5, y + .5) inside when below it.
  const want = drawn(['####..', '##....', '......']);
  const got = polygonToRuns([0, 0, 5, 0, 0, 2.5], 3, 6);
  assert.equal(runs(got), runs(want));
  assert.is(runsArea(got), 6);
});

test('a polygon past the image edge is clipped to it', () => {
  // x -3..2, y -1..10 in a 4×3 image: columns 0 and 1 (centres .5, 1.5), every row.
  const got = polygonToRuns([-3, -1, 2, -1, 2, 10, -3, 10], 4, 3);
  assert.equal(runs(got), runs(drawn(['##.', '##.', '##.', '##.'])));
});

test('area, intersection and IoU on runs; crowd regions divide by the detection', () => {
  const a = drawn(['####', '####', '....', '....']); // 8 px
  const b = drawn(['..##', '..##', '..##', '..##']); // 8 px, 4 shared with a
  assert.is(runsArea(a), 8);
  assert.is(runsIntersection(a.runs, b.runs), 4);
  assert.is(maskIou(a, b, false), 4 / 12);
  // As a crowd region b covers half of the detection a: 4 / 8.
  assert.is(maskIou(a, b, true), 0.5);
  // A detection wholly inside a crowd overlaps it fully, however large the crowd.
  const inside = drawn(['....', '...#', '...#', '....']);
  assert.is(maskIou(inside, b, true), 1);
  assert.is(maskIou(inside, b, false), 2 / 8);
  const none = drawn(['#...', '....', '....', '....']);
  assert.is(maskIou(none, b, false), 0);
  // Runs with empty runs inside them (a legal uncompressed RLE) count the same.
  const padded: MaskRuns = { height: 4, width: 4, runs: Uint32Array.of(0, 0, 0, 2, 2, 2, 10) };
  assert.is(runsArea(padded), 4);
  assert.is(runsIntersection(padded.runs, a.runs), 4);
});

test('union of overlapping and touching parts; the box of a mask', () => {
  const a = drawn(['##..', '##..', '....']);
  const b = drawn(['.#..', '.##.', '..#.']);
  const c = drawn(['....', '....', '...#']);
  const u = unionRuns([a, b, c], 3, 4);
  assert.equal(runs(u), runs(drawn(['##..', '###.', '..##'])));
  // The mask ends on the last pixel: no empty run after it, as rleMerge writes it.
  assert.is(u.runs[u.runs.length - 1], 1);
  assert.equal(runs(unionRuns([drawn(['..', '..']), drawn(['..', '..'])], 2, 2)), [4]);
  assert.equal(runsBox(u), [0, 0, 4, 3]);
  assert.equal(runsBox(drawn(['....', '.#..', '.##.'])), [1, 1, 3, 3]);
  assert.equal(runsBox(drawn(['...', '...'])), [0, 0, 0, 0]);
  // Column-major: b's first pixel is (1, 0) = 3, its last (2, 2) = 8, so [3, 9).
  assert.equal(runsSpan(b), [3, 9]);
  assert.equal(runsSpan(drawn(['..', '..'])), [0, 0]);
});

test('COCO segmentation: polygons, uncompressed and compressed RLE agree', () => {
  const size = { height: 5, width: 5 };
  const square = [1, 1, 4, 1, 4, 3, 1, 3];
  const fromPolygon = segmentationToRuns([square], size, 'a');
  const counts = runs(fromPolygon);
  const fromArray = segmentationToRuns({ size: [5, 5], counts }, size, 'a');
  const compressed = encodeMask(
    { x: 1, y: 1, width: 3, height: 2, data: new Uint8Array(6).fill(1) },
    5,
    5,
  );
  const fromString = segmentationToRuns(compressed, size, 'a');
  assert.equal(runs(fromArray), counts);
  assert.equal(runs(fromString), counts);
  // A 4-number polygon list is a list of [x, y, w, h] boxes (pycocotools' frPyObjects).
  assert.equal(runs(segmentationToRuns([[1, 1, 3, 2]], size, 'a')), counts);
});

test('bad segmentations are refused with the annotation named', () => {
  const size = { height: 4, width: 4 };
  const refuse = (seg: unknown, pattern: RegExp) =>
    assert.throws(() => segmentationToRuns(seg, size, 'annotations[3]'), pattern);
  refuse({ size: [4, 4], counts: [3, 2] }, /annotations\[3\].*cover 5 pixels.*16/);
  refuse({ size: [5, 4], counts: [20] }, /5×4.*image is 4×4/);
  refuse({ size: [4, 4], counts: 'P' }, /counts.*ends inside a run/);
  refuse({ size: [4, 4], counts: [16, -1, 1] }, /"counts"/);
  refuse([[0, 0, 1, 1, 'x']], /polygons/);
  assert.throws(
    () => segmentationToRuns([[0, 0, 3, 0, 3, 3]], undefined, 'annotations[3]'),
    /need the image size/,
  );
  refuse('nope', /expected polygons/);
  const file = {
    images: [{ id: 1, file_name: 'a.png', width: 4, height: 4 }],
    annotations: [{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }],
    categories: [{ id: 1, name: 'a' }],
  };
  assert.throws(
    () => parseCocoAnnotations(file, { masks: true }),
    /annotations\[0\].*segmentation/,
  );
  // Without masks, the same file is fine for box evaluation.
  assert.is(parseCocoAnnotations(file).annotations.length, 1);
  assert.throws(
    () =>
      parseCocoResults([{ image_id: 1, category_id: 1, score: 0.5, bbox: [0, 0, 1, 1] }], {
        masks: true,
      }),
    /results\[0\].*segmentation/,
  );
});

test('segm mAP by hand: mask IoU decides, boxes do not; crowd hits are ignored', () => {
  const mask = (rows: string[]) => drawn(rows);
  // Object: a 10-pixel bar; its box is the whole 5×4 image, so is every detection's.
  const object = mask(['#####', '#####', '.....', '.....']);
  const crowd = mask(['.....', '.....', '#####', '#####']);
  const gts: GroundTruth[] = [
    { imageId: 1, classId: 1, box: [0, 0, 5, 4], mask: object },
    { imageId: 1, classId: 1, box: [0, 0, 5, 4], mask: crowd, iscrowd: true },
  ];
  // d1 covers 6 of the object's pixels and 0 else: IoU 6/10 = 0.6 → TP for t ≤ 0.60.
  // d2 sits inside the crowd (overlap 1): ignored, neither TP nor FP.
  const d1 = mask(['#####', '#....', '.....', '.....']);
  const d2 = mask(['.....', '.....', '##...', '.....']);
  const preds: Prediction[] = [
    { imageId: 1, classId: 1, box: [0, 0, 5, 4], score: 0.9, mask: d1 },
    { imageId: 1, classId: 1, box: [0, 0, 5, 4], score: 0.8, mask: d2 },
  ];
  const r = evaluateDetections(gts, preds, { iouType: 'segm' });
  // AP is 1 at 0.50, 0.55, 0.60 and 0 at the seven thresholds above: 3/10.
  assert.ok(Math.abs(r.map - 0.3) < 1e-9, `${r.map}`);
  assert.ok(Math.abs(r.map50 - 1) < 1e-9);
  assert.is(r.map75, 0);
  assert.equal([r.atThreshold.tp, r.atThreshold.fp, r.atThreshold.fn], [1, 0, 0]);
  // The same boxes as box evaluation: every box is the image, IoU 1 everywhere.
  assert.ok(Math.abs(evaluateDetections(gts, preds).map - 1) < 1e-9);
  // The object is small by its mask (10 px < 32²); with a stored area, that decides.
  assert.ok(Math.abs(r.mapSmall - 0.3) < 1e-9);
  const stored = evaluateDetections([{ ...gts[0]!, area: 50 ** 2 }, gts[1]!], preds, {
    iouType: 'segm',
  });
  assert.is(stored.mapSmall, -1);
  assert.ok(Math.abs(stored.mapMedium - 0.3) < 1e-9);
});

test('segm refuses predictions without masks and masks of two sizes in one image', () => {
  const object = drawn(['##', '##']);
  const gts: GroundTruth[] = [{ imageId: 1, classId: 1, box: [0, 0, 2, 2], mask: object }];
  assert.throws(
    () =>
      evaluateDetections(gts, [{ imageId: 1, classId: 1, box: [0, 0, 2, 2], score: 1 }], {
        iouType: 'segm',
      }),
    /prediction of image 1 has no mask/,
  );
  const wide = drawn(['###', '###']);
  assert.throws(
    () =>
      evaluateDetections(
        gts,
        [{ imageId: 1, classId: 1, box: [0, 0, 2, 2], score: 1, mask: wide }],
        {
          iouType: 'segm',
        },
      ),
    /image 1 has masks of 2×2 and of 2×3/,
  );
});

test('160 random polygons rasterise exactly as pycocotools frPoly + merge', () => {
  const dir = new URL('./fixtures/eval/', import.meta.url);
  const cases = JSON.parse(readFileSync(new URL('frpoly-polygons.json', dir), 'utf8')) as {
    height: number;
    width: number;
    polygons: number[][];
  }[];
  const want = (
    JSON.parse(readFileSync(new URL('frpoly-expected.json', dir), 'utf8')) as {
      expected: { counts: string; area: number }[];
    }
  ).expected;
  assert.is(cases.length, 160);
  cases.forEach((c, i) => {
    const got = segmentationToRuns(c.polygons, c, `case ${i}`);
    assert.equal(runs(got), decompressRuns(want[i]!.counts), `case ${i}`);
    assert.is(runsArea(got), want[i]!.area, `case ${i} area`);
  });
});

test.run();
