/**
 * The whole evaluation against the reference implementation: a 40-image random
 * dataset (crowd regions, mask areas, an absent class, score ties) whose
 * pycocotools 2.0.11 results are stored next to it (see test/fixtures/eval/README.md).
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateDetections } from '../src/eval/evaluate.ts';
import { parseCocoAnnotations, parseCocoResults } from '../src/eval/loaders/coco-json.ts';

const dir = new URL('./fixtures/eval/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir), 'utf8');
const expected = JSON.parse(read('coco-random-expected.json')) as {
  stats: Record<string, number>;
  perClass: Record<string, { ap: number; ap50: number; ap75: number }>;
};

const gt = parseCocoAnnotations(read('coco-random-gt.json'));
const results = parseCocoResults(read('coco-random-results.json'));
// COCO evaluates its own image and category lists, whatever the results contain.
const r = evaluateDetections(gt.annotations, results, {
  imageIds: gt.images.map((i) => i.id),
  classIds: gt.categories.map((c) => c.id),
});

const summary: [string, number][] = [
  ['AP', r.map],
  ['AP50', r.map50],
  ['AP75', r.map75],
  ['APs', r.mapSmall],
  ['APm', r.mapMedium],
  ['APl', r.mapLarge],
  ['AR100', r.mar100],
];
for (const [name, value] of summary) {
  test(`${name} equals pycocotools to 1e-12`, () => {
    const want = expected.stats[name]!;
    assert.ok(Math.abs(value - want) < 1e-12, `${value} ≠ ${want}`);
  });
}

test('per-class AP, AP50, AP75 equal pycocotools; the absent class is -1', () => {
  for (const c of r.perClass) {
    const want = expected.perClass[String(c.classId)]!;
    for (const k of ['ap', 'ap50', 'ap75'] as const) {
      assert.ok(Math.abs(c[k] - want[k]) < 1e-12, `class ${c.classId} ${k}: ${c[k]} ≠ ${want[k]}`);
    }
  }
  assert.is(r.perClass.find((c) => c.classId === 7)!.ap, -1);
});

test.run();
