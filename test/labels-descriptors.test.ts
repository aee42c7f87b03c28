/**
 * Every shipped descriptor (`models/*.yaml`), end to end through `framewire detect
 * --json`: a tiny ONNX model built for the test stands in for the real export,
 * shaped like that family's outputs and emitting known class ids, and the CLI must
 * print the right COCO label for each id, with `classId` the model's own id.
 *
 * Expected names are the published COCO 2017 category list: the `categories` of
 * `instances_val2017.json` (https://cocodataset.org/#download, also listed at
 * https://github.com/cocodataset/cocoapi/issues/36): id 1 person, 3 car, 18 dog,
 * 44 bottle, 90 toothbrush. YOLO's contiguous 80-class order is the Ultralytics
 * `coco.yaml` `names` (0 person, 2 car, 16 dog, 39 bottle, 79 toothbrush).
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { COCO91_LABELS } from '../src/models/labels/coco91.ts';
import { decoderDefaultLabels, resolveLabels } from '../src/models/labels/label-space.ts';
import { buildConstantModel, type FixedOutput } from './helpers/onnx-build.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-labels-'));
const IMAGE = 'test/fixtures/chelsea.png';

interface Case {
  /** The class ids the stand-in model emits, best score first. */
  ids: number[];
  /** The labels the published lists give those ids. */
  labels: string[];
  /** The stand-in model: image input shape/type and the family's outputs. */
  model: (ids: number[]) => {
    input: number[];
    inputType?: 'uint8';
    outputs: FixedOutput[];
  };
}

/** Scores 0.9, 0.8, … so the JSON order is the order of `ids`. */
const score = (k: number) => 0.9 - 0.1 * k;

/** Disjoint boxes in input pixels (x1, y1, x2, y2), one per detection. */
const box = (k: number) => [40 + 120 * k, 40, 140 + 120 * k, 140];

const CASES: Record<string, Case> = {
  // torchvision: boxes [N,4] input pixels, labels [N] int64 (category ids), scores [N].
  'fasterrcnn-torchvision.yaml': {
    ids: [1, 18, 3, 90],
    labels: ['person', 'dog', 'car', 'toothbrush'],
    model: (ids) => ({
      input: [1, 3, 800, 800],
      outputs: [
        {
          name: 'boxes',
          dims: [ids.length, 4],
          declared: ['N', 4],
          values: ids.flatMap((_, k) => box(k)),
        },
        { name: 'labels', dims: [ids.length], declared: ['N'], type: 'int64', values: ids },
        {
          name: 'scores',
          dims: [ids.length],
          declared: ['N'],
          values: ids.map((_, k) => score(k)),
        },
      ],
    }),
  },
  // TF OD API: normalized y1,x1,y2,x2 boxes, float category ids, uint8 NHWC input.
  'ssd-mobilenet-tf.yaml': {
    ids: [1, 18, 44],
    labels: ['person', 'dog', 'bottle'],
    model: (ids) => ({
      input: [1, 300, 300, 3],
      inputType: 'uint8',
      outputs: [
        {
          name: 'detection_boxes',
          dims: [1, ids.length, 4],
          values: ids.flatMap((_, k) => [0.1, 0.1 + 0.3 * k, 0.4, 0.3 + 0.3 * k]),
        },
        { name: 'detection_classes', dims: [1, ids.length], values: ids },
        { name: 'detection_scores', dims: [1, ids.length], values: ids.map((_, k) => score(k)) },
        { name: 'num_detections', dims: [1], values: [ids.length] },
      ],
    }),
  },
  // YOLOv5: [1, N, 85] rows of cx, cy, w, h, objectness, 80 class scores.
  'yolov5s.yaml': {
    ids: [0, 16, 79],
    labels: ['person', 'dog', 'toothbrush'],
    model: (ids) => {
      const n = 100;
      const rows = new Float32Array(n * 85);
      ids.forEach((id, k) => {
        const [x1, y1, x2, y2] = box(k) as [number, number, number, number];
        rows.set([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, 1], k * 85);
        rows[k * 85 + 5 + id] = score(k);
      });
      return {
        input: [1, 3, 640, 640],
        outputs: [{ name: 'output0', dims: [1, n, 85], values: rows }],
      };
    },
  },
  // YOLOv7 --end2end: num_dets, det_boxes (pixels), det_scores, det_classes (0..79).
  'yolov7-end2end.yaml': {
    ids: [0, 16, 2],
    labels: ['person', 'dog', 'car'],
    model: (ids) => {
      const k = 100;
      const boxes = new Float32Array(k * 4);
      const scores = new Float32Array(k);
      const classes = new Int32Array(k);
      ids.forEach((id, i) => {
        boxes.set(box(i), i * 4);
        scores[i] = score(i);
        classes[i] = id;
      });
      return {
        input: [1, 3, 640, 640],
        outputs: [
          { name: 'num_dets', dims: [1, 1], type: 'int32', values: [ids.length] },
          { name: 'det_boxes', dims: [1, k, 4], values: boxes },
          { name: 'det_scores', dims: [1, k], values: scores },
          { name: 'det_classes', dims: [1, k], type: 'int32', values: classes },
        ],
      };
    },
  },
  // Ultralytics v8/v11: [1, 84, N], channel-major (4 box rows, then 80 class rows).
  'yolov8n.yaml': {
    ids: [0, 16, 39],
    labels: ['person', 'dog', 'bottle'],
    model: (ids) => {
      const n = 100;
      const t = new Float32Array(84 * n);
      ids.forEach((id, k) => {
        const [x1, y1, x2, y2] = box(k) as [number, number, number, number];
        [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1].forEach((v, c) => {
          t[c * n + k] = v;
        });
        t[(4 + id) * n + k] = score(k);
      });
      return {
        input: [1, 3, 640, 640],
        outputs: [{ name: 'output0', dims: [1, 84, n], values: t }],
      };
    },
  },
};

test('the coco91 space is the published COCO category list', () => {
  // instances_val2017.json `categories` (cocodataset.org): a sample across the gaps.
  const published: [number, string][] = [
    [1, 'person'],
    [11, 'fire hydrant'],
    [13, 'stop sign'], // 12 is unused
    [27, 'backpack'], // 26 is unused
    [31, 'handbag'], // 29, 30 unused
    [46, 'wine glass'], // 45 unused
    [67, 'dining table'], // 66 unused
    [70, 'toilet'], // 68, 69 unused
    [72, 'tv'], // 71 unused
    [84, 'book'], // 83 unused
    [90, 'toothbrush'],
  ];
  for (const [id, name] of published) assert.is(COCO91_LABELS[id], name, `id ${id}`);
  for (const gap of [0, 12, 26, 29, 30, 45, 66, 68, 69, 71, 83]) {
    assert.is(COCO91_LABELS[gap], undefined, `id ${gap} has no class`);
  }
  assert.is(COCO91_LABELS.filter(() => true).length, 80);
});

test('label spaces: named, inline, a file, metadata, and the per-decoder default', async () => {
  const file = join(dir, 'names.txt');
  writeFileSync(file, 'cat\n\ndog\n'); // a blank line is skipped: dog is id 1
  const cases: [Parameters<typeof resolveLabels>, string, number, string | undefined][] = [
    // [arguments, from, id, expected label]
    [['coco80', undefined, undefined], 'coco80', 16, 'dog'],
    [['coco91', undefined, undefined], 'coco91', 18, 'dog'],
    [['coco91', undefined, undefined], 'coco91', 12, undefined], // a gap
    [[['a', 'b'], undefined, undefined], 'descriptor', 1, 'b'],
    [[file, undefined, undefined], file, 1, 'dog'],
    // The descriptor wins over metadata; metadata over the default.
    [['coco91', ['x'], undefined], 'coco91', 1, 'person'],
    [[undefined, ['x', 'y'], undefined], 'model metadata', 1, 'y'],
    [[undefined, undefined, undefined], 'coco80 (default)', 0, 'person'],
  ];
  for (const [args, from, id, label] of cases) {
    const r = await resolveLabels(...args);
    assert.is(r.from, from);
    assert.is(r.labels[id], label, `${from} ${id}`);
  }
  // With nothing declared, torchvision and TF models get the category-id space.
  assert.is(decoderDefaultLabels('torchvision').labels[1], 'person');
  assert.is(decoderDefaultLabels('ssd-tf').labels[18], 'dog');
  assert.is(decoderDefaultLabels('yolo-anchor-free').labels[0], 'person');
  // A mistyped space name says which names exist, not just "file not found".
  try {
    await resolveLabels('coco90', undefined, join(dir, 'm.yaml'));
    assert.unreachable();
  } catch (err) {
    assert.match(
      (err as Error).message,
      /labels: "coco90" is neither a known label space \(coco80, coco91, voc21\)/,
    );
  }
});

test('every shipped descriptor is covered by this test', () => {
  const shipped = readdirSync('models')
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  assert.equal(shipped, Object.keys(CASES).sort());
});

for (const [file, c] of Object.entries(CASES)) {
  test(`${file}: model ids ${c.ids.join(', ')} come out as ${c.labels.join(', ')}`, () => {
    const caseDir = mkdtempSync(join(dir, 'case-'));
    const descriptor = join(caseDir, file);
    copyFileSync(join('models', file), descriptor);
    const modelName = (parse(readFileSync(descriptor, 'utf8')) as { model: string }).model;
    const m = c.model(c.ids);
    writeFileSync(
      join(caseDir, modelName),
      buildConstantModel(m.outputs, {
        input: m.input,
        ...(m.inputType ? { inputType: m.inputType } : {}),
      }),
    );
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'detect', IMAGE, '--model', descriptor, '--json'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.is(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { detections: { classId: number; label: string }[] };
    assert.equal(
      out.detections.map((d) => [d.classId, d.label]),
      c.ids.map((id, k) => [id, c.labels[k]]),
    );
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
