/**
 * Mask mAP against the reference implementation: a 48-image random dataset
 * (polygons, some in two parts or past the image edge; compressed RLE objects;
 * crowd regions as uncompressed RLE; stored areas unlike the pixel counts; an
 * absent class, score ties, empty masks) whose pycocotools
 * `COCOeval(..., "segm")` results, mask IoUs included, are stored next to it
 * (see test/fixtures/eval/README.md).
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateDetections } from '../src/eval/evaluate.ts';
import { parseCocoAnnotations, parseCocoResults } from '../src/eval/loaders/coco-json.ts';
import { prepareImage } from '../src/eval/matching.ts';

const dir = new URL('./fixtures/eval/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir), 'utf8');
type Figures = Record<
  'ap' | 'ap50' | 'ap75' | 'apSmall' | 'apMedium' | 'apLarge' | 'ar100',
  number
>;
const expected = JSON.parse(read('coco-segm-expected.json')) as {
  stats: Record<string, number>;
  perClass: Record<string, Figures>;
  ious: Record<string, number[][]>;
};

const gt = parseCocoAnnotations(read('coco-segm-gt.json'), { masks: true });
const results = parseCocoResults(read('coco-segm-results.json'), { masks: true });
const r = evaluateDetections(gt.annotations, results, {
  imageIds: gt.images.map((i) => i.id),
  classIds: gt.categories.map((c) => c.id),
  iouType: 'segm',
});
const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} ≠ ${b}`);

test('every mask IoU (crowd ones over the detection area) equals pycocotools', () => {
  let pairs = 0;
  for (const [key, rows] of Object.entries(expected.ious)) {
    const [image, category] = key.split(':').map(Number);
    const gts = gt.annotations.filter((g) => g.imageId === image && g.classId === category);
    const dts = results.filter((p) => p.imageId === image && p.classId === category);
    const p = prepareImage(gts, dts, 100, 'segm')!;
    const G = gts.length;
    rows.forEach((row, d) => {
      row.forEach((want, g) => {
        near(p.ious[d * G + g]!, want, `image ${image} class ${category} dt ${d} gt ${g}`);
        pairs++;
      });
    });
  }
  assert.ok(pairs > 200, `${pairs} pairs`);
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
  test(`segm ${name} equals pycocotools to 1e-12`, () => near(value, expected.stats[name]!, name));
}

test('per-class segm AP, AP50, AP75, AP by area and AR100 equal pycocotools', () => {
  for (const c of r.perClass) {
    const want = expected.perClass[String(c.classId)]!;
    for (const k of Object.keys(want) as (keyof Figures)[]) {
      near(c[k], want[k], `class ${c.classId} ${k}`);
    }
  }
  // 7 has results only: absent, -1.
  assert.is(r.perClass.find((c) => c.classId === 7)!.ap, -1);
});

test.run();
