/**
 * `framewire eval --iou-type segm` as a user runs it: a real process scoring the
 * stored random COCO set against pycocotools' figures, the refusals, and the
 * model path refusing a detector that makes no masks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const dir = mkdtempSync(join(tmpdir(), 'framewire-eval-segm-'));
const fixture = (f: string) => `test/fixtures/eval/${f}`;

function framewire(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function refused(r: ReturnType<typeof framewire>, pattern: RegExp) {
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
}

const expected = (f: string) =>
  (JSON.parse(readFileSync(fixture(f), 'utf8')) as { stats: Record<string, number> }).stats;

test('--results --iou-type segm prints pycocotools figures for the stored set', () => {
  const r = framewire(
    'eval',
    '--results',
    fixture('coco-segm-results.json'),
    '--annotations',
    fixture('coco-segm-gt.json'),
    '--iou-type',
    'segm',
    '--json',
  );
  assert.is(r.code, 0, r.stderr);
  const { result } = JSON.parse(r.stdout) as {
    result: { iouType: string; map: number; map50: number; mapSmall: number; images: number };
  };
  const want = expected('coco-segm-expected.json');
  assert.is(result.iouType, 'segm');
  assert.is(result.images, 48);
  for (const [got, name] of [
    [result.map, 'AP'],
    [result.map50, 'AP50'],
    [result.mapSmall, 'APs'],
  ] as const) {
    assert.ok(Math.abs(got - want[name]!) < 1e-12, `${name} ${got} ≠ ${want[name]}`);
  }
  const text = framewire(
    'eval',
    '--results',
    fixture('coco-segm-results.json'),
    '--annotations',
    fixture('coco-segm-gt.json'),
    '--iou-type',
    'segm',
  );
  assert.match(text.stdout, /mask mAP@\[\.50:\.95\] 0\.152 {3}mAP@\.50 0\.259 {3}mAP@\.75 0\.180/);
});

test('--results without --iou-type scores boxes: the pycocotools bbox figures', () => {
  const r = framewire(
    'eval',
    '--results',
    fixture('coco-random-results.json'),
    '--annotations',
    fixture('coco-random-gt.json'),
    '--json',
  );
  assert.is(r.code, 0, r.stderr);
  const { result } = JSON.parse(r.stdout) as { result: { iouType: string; map: number } };
  assert.is(result.iouType, 'bbox');
  const want = expected('coco-random-expected.json').AP!;
  assert.ok(Math.abs(result.map - want) < 1e-12, `${result.map} ≠ ${want}`);
});

test('refusals: unknown iou type, masks missing, wrong formats, mixed options', () => {
  const segm = ['--iou-type', 'segm'];
  refused(
    framewire(
      'eval',
      '--results',
      fixture('coco-segm-results.json'),
      '--annotations',
      fixture('coco-segm-gt.json'),
      '--iou-type',
      'mask',
    ),
    /--iou-type "mask" is not one of bbox, segm/,
  );
  refused(
    framewire(
      'eval',
      '--results',
      fixture('coco-random-results.json'),
      '--annotations',
      fixture('coco-random-gt.json'),
      ...segm,
    ),
    /annotations\[0\] has no "segmentation"/,
  );
  refused(
    framewire(
      'eval',
      '--results',
      fixture('coco-random-results.json'),
      '--annotations',
      fixture('coco-segm-gt.json'),
      ...segm,
    ),
    /results\[0\] has no "segmentation"/,
  );
  refused(
    framewire(
      'eval',
      '--results',
      fixture('coco-segm-results.json'),
      '--annotations',
      fixture('coco-segm-gt.json'),
      '--model',
      'm.onnx',
    ),
    /--model and --results/,
  );
  refused(
    framewire(
      'eval',
      '--images',
      'test/fixtures',
      '--annotations',
      dir,
      '--format',
      'yolo',
      ...segm,
    ),
    /--iou-type segm needs COCO annotations/,
  );
  // A result mask of another size than its image.
  const results = JSON.parse(readFileSync(fixture('coco-segm-results.json'), 'utf8')) as {
    image_id: number;
    segmentation: { size: number[] };
  }[];
  // 'a1' is one run of 49 zeros: an empty 7×7 mask.
  results.push({ ...results[0]!, segmentation: { size: [7, 7], counts: 'a1' } as never });
  const odd = join(dir, 'odd-results.json');
  writeFileSync(odd, JSON.stringify(results));
  refused(
    framewire('eval', '--results', odd, '--annotations', fixture('coco-segm-gt.json'), ...segm),
    /image \d+ has masks of \d+×\d+ and of 7×7/,
  );
});

test('a model without masks is refused for segm, naming the fix', () => {
  // astronaut.png, 512×512, with one polygon person: the embedded detector finds
  // the person but makes boxes only.
  const annotations = join(dir, 'astronaut.json');
  writeFileSync(
    annotations,
    JSON.stringify({
      images: [{ id: 1, file_name: 'astronaut.png', width: 512, height: 512 }],
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 1,
          iscrowd: 0,
          bbox: [20, 15, 345, 497],
          area: 100000,
          segmentation: [[20, 512, 120, 15, 300, 15, 365, 512]],
        },
      ],
      categories: [{ id: 1, name: 'person' }],
    }),
  );
  const r = framewire(
    'eval',
    '--images',
    'test/fixtures',
    '--annotations',
    annotations,
    '--iou-type',
    'segm',
  );
  refused(r, /"person" detection in .*astronaut\.png has no mask/);
  assert.match(r.stderr, /instance-segmentation model/);
});

test.run();
