/**
 * Semantic segmentation: output decoding (NCHW, NHWC, one sigmoid channel,
 * class maps), the single place where a map returns to source pixels, and
 * `framewire segment` as a user runs it, on an ONNX model whose output is a
 * known constant map. Expected values are worked out by hand in the comments.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/commands/media-io.ts';
import { classShares } from '../src/core/segmentation.ts';
import type { OutputTensor } from '../src/models/decoders/types.ts';
import { computeLetterbox, modelToSource } from '../src/models/letterbox.ts';
import { decodeSemantic } from '../src/models/segmentation/semantic.ts';
import { mapToSource } from '../src/models/segmentation/to-source.ts';
import { buildConstantModel } from './helpers/onnx-build.ts';

const tensor = (dims: number[], values: number[], int = false): OutputTensor => ({
  name: 'out',
  dims,
  data: int ? BigInt64Array.from(values.map(BigInt)) : Float32Array.from(values),
});

test('NCHW scores: argmax per cell', () => {
  // Three classes over a 2x2 grid; channel planes one after another.
  const map = decodeSemantic(
    tensor([1, 3, 2, 2], [5, 0, 0, 0, /* c1 */ 1, 9, 0, 0, /* c2 */ 0, 0, 3, -1]),
    0.5,
  );
  assert.equal([...map.classes], [0, 1, 2, 0]);
  assert.equal([map.width, map.height, map.numClasses], [2, 2, 3]);
});

test('NHWC scores (TF exports): channels last when the last dimension is the smallest', () => {
  // A 4-row, 3-column grid, 2 classes per cell interleaved.
  const v = [
    1, 0, 0, 1, 1, 0, /* row 1 */ 0, 1, 0, 1, 1, 0, /* rows 2–3 */ 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0,
    1,
  ];
  const map = decodeSemantic(tensor([1, 4, 3, 2], v), 0.5);
  assert.equal([map.width, map.height], [3, 4]);
  assert.equal([...map.classes], [0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1]);
});

test('one channel: probabilities against the threshold, logits against its logit', () => {
  const probs = decodeSemantic(tensor([1, 1, 1, 4], [0.2, 0.6, 0.5, 0.9]), 0.5);
  assert.equal([...probs.classes], [0, 1, 0, 1]);
  assert.is(probs.numClasses, 2);
  // Logits: sigmoid(x) > 0.8 ⇔ x > ln 4 ≈ 1.386.
  const logits = decodeSemantic(tensor([1, 1, 1, 4], [-3, 1.3, 1.5, 4]), 0.8);
  assert.equal([...logits.classes], [0, 0, 1, 1]);
});

test("probabilities: each cell's class probability × 255, from sigmoid or softmax", () => {
  // Binary logits −0.5 and 2 (not integers, which would read as class ids):
  // sigmoid 0.37754 (background: 1 − 0.37754 = 0.62246 → 158.7 → 159) and 0.88080
  // (foreground: 224.6 → 225).
  const binary = decodeSemantic(tensor([1, 1, 1, 2], [-0.5, 2]), 0.5);
  assert.equal([...binary.probabilities!], [159, 225]);
  // Binary probabilities are used as they are: 0.8 → 204; 0.3 (background) → 1 − 0.3,
  // and float32 0.3 is 0.30000001, so 0.69999999 × 255 = 178.49999… → 178.
  assert.equal(
    [...decodeSemantic(tensor([1, 1, 1, 2], [0.8, 0.3]), 0.5).probabilities!],
    [204, 178],
  );
  // Three-class logits 1, 2, 3 at one cell: softmax of the winner
  // 1 / (e^−2 + e^−1 + 1) = 0.66524 → 169.6 → 170.
  const logits = decodeSemantic(tensor([1, 3, 1, 1], [1, 2, 3]), 0.5);
  assert.equal([[...logits.classes], [...logits.probabilities!]], [[2], [170]]);
  // Outputs that already hold probabilities keep the winner's value: 0.6 → 153.
  const probs = decodeSemantic(tensor([1, 3, 1, 1], [0.1, 0.6, 0.3]), 0.5);
  assert.equal([[...probs.classes], [...probs.probabilities!]], [[1], [153]]);
  // Class-id outputs carry no probabilities.
  assert.is(decodeSemantic(tensor([1, 2, 2], [0, 15, 15, 0], true), 0.5).probabilities, undefined);
});

test('class maps: [1,H,W] int64, [H,W], and an integer [1,1,H,W] with ids above 1', () => {
  assert.equal(
    [...decodeSemantic(tensor([1, 2, 2], [0, 15, 15, 0], true), 0.5).classes],
    [0, 15, 15, 0],
  );
  assert.equal([...decodeSemantic(tensor([2, 2], [3, 0, 0, 3]), 0.5).classes], [3, 0, 0, 3]);
  const ids = decodeSemantic(tensor([1, 1, 2, 2], [0, 2, 7, 0]), 0.5);
  assert.equal([[...ids.classes], ids.numClasses], [[0, 2, 7, 0], 8]);
});

test('outputs that are not segmentation are refused clearly', () => {
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  assert.match(
    message(() => decodeSemantic(tensor([1, 8400, 85, 1, 1], [0]), 0.5)),
    /must be \[1,C,H,W\]/,
  );
  assert.match(
    message(() => decodeSemantic(tensor([1, 2, 2], [0, 1, -4, 0]), 0.5)),
    /holds -4, not a class id/,
  );
  assert.match(
    message(() => decodeSemantic(tensor([1, 300, 400, 400], [0]), 0.5)),
    /300 classes/,
  );
});

test('mapToSource undoes the letterbox, also onto a coarser output grid', () => {
  // A 4x2 frame letterboxed into 4x4: scale 1, content rows 1–2 (offset 1).
  // The output grid is 2x2 (stride 2): source pixel (x, y) samples model
  // ((x + 0.5), (y + 0.5) + 1), i.e. grid cell (floor((x + 0.5) / 2), floor((y + 1.5) / 2)).
  const lb = computeLetterbox(4, 2, 4, 4, 'letterbox');
  const toSource = modelToSource(lb, 4, 2, undefined);
  const grid = { width: 2, height: 2, numClasses: 4, classes: Uint8Array.from([0, 1, 2, 3]) };
  // y 0 → cell row 0; y 1 → cell row 1. x 0,1 → col 0; x 2,3 → col 1.
  assert.equal([...mapToSource(grid, 4, 4, toSource)], [0, 0, 1, 1, 2, 2, 3, 3]);
});

test('classShares: pixels and fractions of the classes present', () => {
  const shares = classShares({
    width: 4,
    height: 1,
    classes: Uint8Array.from([0, 15, 15, 15]),
    labels: ['background', ...Array(14).fill(''), 'person'],
  });
  assert.equal(shares, [
    { classId: 0, label: 'background', pixels: 1, fraction: 0.25 },
    { classId: 15, label: 'person', pixels: 3, fraction: 0.75 },
  ]);
});

// ------------------------------------------------------------ the CLI

const dir = mkdtempSync(join(tmpdir(), 'framewire-segment-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function framewire(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A 21-class (PASCAL VOC) model whose 8x8 output says person (15) in output
 * columns 0–3 and background elsewhere, whatever the image.
 */
function vocModel(): string {
  const values = new Array<number>(21 * 64).fill(0);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 4; x++) values[15 * 64 + y * 8 + x] = 5;
  for (let y = 0; y < 8; y++) for (let x = 4; x < 8; x++) values[y * 8 + x] = 5;
  const path = join(dir, 'voc.onnx');
  writeFileSync(
    path,
    buildConstantModel([{ name: 'out', dims: [1, 21, 8, 8], values }], { input: [1, 3, 8, 8] }),
  );
  return path;
}

/** A 16x8 mid-grey PNG made by ffmpeg. */
function greyImage(): string {
  const path = join(dir, 'grey.png');
  const r = spawnSync(ffmpegPath, [
    ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:size=16x8'],
    ...['-frames:v', '1', path],
  ]);
  assert.is(r.status, 0, String(r.stderr));
  return path;
}

test('segment IMAGE --json: class shares in the image, VOC labels for 21 classes', () => {
  const model = vocModel();
  const image = greyImage();
  // 16x8 into 8x8: scale 1/2, content 8x4 at rows 2–5. Source x samples output column
  // floor((x + 0.5) / 2): x 0–7 → columns 0–3 (person), x 8–15 → 4–7 (background).
  const r = framewire('segment', image, '--model', model, '--json');
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), {
    width: 16,
    height: 8,
    classes: [
      { classId: 0, label: 'background', pixels: 64, fraction: 0.5 },
      { classId: 15, label: 'person', pixels: 64, fraction: 0.5 },
    ],
  });
});

test('segment IMAGE --out: person pixels tinted, background left as it was', () => {
  const out = join(dir, 'mask.png');
  const r = framewire('segment', greyImage(), '--model', vocModel(), '--out', out);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /person\s+50\.0%\s+64 px/);
  assert.match(r.stdout, /wrote /);
  const rgb = spawnSync(ffmpegPath, [
    '-loglevel',
    'error',
    '-i',
    out,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ]);
  const px = (x: number, y: number) => [
    ...rgb.stdout.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3),
  ];
  const grey = px(15, 4);
  assert.equal(grey, [grey[0], grey[0], grey[0]], 'background stays grey');
  assert.not.equal(px(2, 4), grey, 'person pixels are tinted');
  assert.ok(readFileSync(out).length > 0);
});

test('segment VIDEO --json: one line per frame, with seq', () => {
  const video = join(dir, 'three.mp4');
  const r0 = spawnSync(ffmpegPath, [
    ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:size=16x8:rate=10'],
    ...['-frames:v', '3', '-pix_fmt', 'yuv420p', video],
  ]);
  assert.is(r0.status, 0, String(r0.stderr));
  const r = framewire('segment', video, '--model', vocModel(), '--json');
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(
    lines.map((l) => [
      l.seq,
      l.width,
      l.height,
      l.classes.map((c: { pixels: number }) => c.pixels),
    ]),
    [
      [0, 16, 8, [64, 64]],
      [1, 16, 8, [64, 64]],
      [2, 16, 8, [64, 64]],
    ],
  );
});

test('segment with a detection model, or a bad threshold: clear errors', () => {
  const image = greyImage();
  const detector = join(dir, 'det.onnx');
  writeFileSync(
    detector,
    buildConstantModel(
      [
        { name: 'boxes', dims: [1, 4], values: [0, 0, 1, 1] },
        { name: 'scores', dims: [1], values: [0.9] },
      ],
      { input: [1, 3, 8, 8] },
    ),
  );
  const det = framewire('segment', image, '--model', detector);
  assert.is.not(det.code, 0);
  assert.match(det.stderr, /a segmentation model has one output; this one has 2/);
  const bad = framewire('segment', image, '--model', detector, '--threshold', '2');
  assert.match(bad.stderr, /--threshold takes a number between 0 and 1/);
  for (const r of [det, bad]) assert.not.match(r.stderr, /\n\s+at .+:\d+:\d+/);
});

test('segment IMAGE --json --rle: each class with its pixels as COCO RLE', () => {
  const r = framewire('segment', greyImage(), '--model', vocModel(), '--json', '--rle');
  assert.is(r.code, 0, r.stderr);
  // Person fills columns 0–7 of the 16x8 image: column-major runs 0, 64, 64 (background
  // 64, 64); 64 is two 5-bit groups, 0 with the continuation bit ('P') then 2. pycocotools
  // mask.encode writes the same strings.
  const classes = JSON.parse(r.stdout).classes as { label: string; mask: unknown }[];
  assert.equal(
    classes.map((c) => [c.label, c.mask]),
    [
      ['background', { size: [8, 16], counts: 'P2P2' }],
      ['person', { size: [8, 16], counts: '0P2P2' }],
    ],
  );
  const alone = framewire('segment', greyImage(), '--model', vocModel(), '--rle');
  assert.is.not(alone.code, 0);
  assert.match(alone.stderr, /--rle adds per-class RLE to the JSON output: give --json too/);
});

test.run();
