/**
 * Instance masks end to end, as a user gets them: a synthetic YOLOv8-seg ONNX
 * (constant outputs), a non-square PNG that the letterbox pads, and
 * `framewire detect --json` in a real process. The expected mask is worked out
 * by hand below, in source pixels, and read back from the printed COCO RLE.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/commands/media-io.ts';
import { decodeRle } from '../src/core/rle.ts';
import { buildConstantModel } from './helpers/onnx-build.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-detect-masks-'));
const INPUT = 64;
const GRID = INPUT / 4;
const P = 32;
const C = 2;
const N = 64; // anchors: more than the 38 channels, as in every real export

/**
 * One detection, class 0, score 0.9: box centre (24, 32), 32 × 16 in model pixels
 * (x 8..40, y 24..40). Its mask uses prototype 0 only: logits +8 over grid columns
 * 2..5 (model x 8..24) and −8 elsewhere, every row.
 */
function model(): Uint8Array {
  const k = 4 + C + P;
  const head = new Array<number>(k * N).fill(0);
  [24, 32, 32, 16].forEach((v, j) => {
    head[j * N] = v;
  });
  head[4 * N] = 0.9;
  head[(4 + C) * N] = 1;
  const protos = new Array<number>(P * GRID * GRID).fill(-8);
  for (let y = 0; y < GRID; y++) for (let x = 2; x < 6; x++) protos[y * GRID + x] = 8;
  return buildConstantModel(
    [
      { name: 'output0', dims: [1, k, N], values: head },
      { name: 'output1', dims: [1, P, GRID, GRID], values: protos },
    ],
    { input: [1, 3, INPUT, INPUT] },
  );
}

function framewire(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('detect --json: a YOLOv8-seg mask comes back through the letterbox as COCO RLE of the source', () => {
  const onnx = join(dir, 'seg.onnx');
  writeFileSync(onnx, model());
  // 128 × 64 source: letterboxed into 64 × 64 at scale 0.5, content 64 × 32 at y 16..48.
  const image = join(dir, 'wide.png');
  const made = spawnSync(ffmpegPath, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=gray:s=128x64',
    '-frames:v',
    '1',
    '-y',
    image,
  ]);
  assert.is(made.status, 0, String(made.stderr));
  const r = framewire('detect', image, '--model', onnx, '--json', '--confidence', '0.5');
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    width: number;
    height: number;
    detections: { box: number[]; mask?: { size: [number, number]; counts: string } }[];
  };
  assert.is(out.detections.length, 1);
  const d = out.detections[0]!;
  // Box: model (8, 24)–(40, 40) → source ((8 − 0) / 0.5, (24 − 16) / 0.5)–… = (16, 16)–(80, 48).
  assert.equal(d.box, [16, 16, 80, 48]);
  assert.ok(d.mask, 'the detection carries a mask');
  assert.equal(d.mask.size, [64, 128]);
  // The logits cross 0 halfway between prototype cells 1|2 and 5|6 (grid u = 1.5 and
  // 5.5, model x 8 and 24), i.e. source x 16 and 48: inside the box, the object is
  // source x 16..47, rows 16..47.
  const m = decodeRle(d.mask);
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 128; x++) {
      const inside = x >= 16 && x < 48 && y >= 16 && y < 48;
      assert.is(m.data[y * 128 + x], inside ? 1 : 0, `pixel (${x}, ${y})`);
    }
  }
});

test('the detect stage refuses a maskThreshold outside (0, 1)', () => {
  const pipeline = join(dir, 'p.yaml');
  writeFileSync(
    pipeline,
    'source: { type: testsrc, frames: 1 }\nstages:\n  - type: detect\n    maskThreshold: 1.5\nsinks:\n  - type: null\n',
  );
  const r = framewire('validate', pipeline);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /maskThreshold/);
});

test.run();
