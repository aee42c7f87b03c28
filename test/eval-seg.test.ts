/**
 * `framewire eval seg`: mIoU, per-class IoU and pixel accuracy from a
 * confusion matrix, worked out by hand; masks read exactly from greyscale and
 * palette PNGs; and the command on a model whose output is a known constant.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/commands/media-io.ts';
import { readClassMask } from '../src/commands/read-mask.ts';
import { SegmentationEvaluator } from '../src/eval/index.ts';
import { buildConstantModel } from './helpers/onnx-build.ts';

test('scores from the confusion matrix, ignored pixels left out', () => {
  const e = new SegmentationEvaluator(255);
  // truth:     0 0 1 1 | 255 2
  // predicted: 0 1 1 1 |  2  0
  e.add(Uint8Array.from([0, 1, 1, 1, 2, 0]), Uint8Array.from([0, 0, 1, 1, 255, 2]));
  // Class 0: TP 1, FN 1 (truth 0 → 1), FP 1 (truth 2 → 0): IoU 1/3.
  // Class 1: TP 2, FP 1: IoU 2/3. Class 2: TP 0, FN 1: IoU 0.
  // mIoU = (1/3 + 2/3 + 0) / 3 = 1/3; accuracy 3 of 5 labelled pixels.
  const s = e.scores(['background', 'cat', 'dog']);
  assert.equal(
    s.classes.map((c) => [c.label, c.iou, c.pixels]),
    [
      ['background', 0.333333, 2],
      ['cat', 0.666667, 2],
      ['dog', 0, 1],
    ],
  );
  assert.equal([s.mIoU, s.pixelAccuracy, s.pixels, s.images], [0.333333, 0.6, 5, 1]);
});

test('with ignore off, every pixel counts; classes absent from both are left out', () => {
  const e = new SegmentationEvaluator(undefined);
  e.add(Uint8Array.from([255, 0]), Uint8Array.from([255, 0]));
  const s = e.scores([]);
  assert.equal(
    s.classes.map((c) => [c.classId, c.iou]),
    [
      [0, 1],
      [255, 1],
    ],
  );
  assert.is(s.mIoU, 1);
});

const dir = mkdtempSync(join(tmpdir(), 'framewire-eval-seg-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** An 8-bit greyscale PNG with these exact values, through ffmpeg. */
function greyPng(path: string, width: number, height: number, values: Uint8Array): void {
  const r = spawnSync(
    ffmpegPath,
    [
      ...['-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'gray'],
      ...['-s', `${width}x${height}`, '-i', 'pipe:0', '-frames:v', '1', path],
    ],
    { input: values },
  );
  assert.is(r.status, 0, String(r.stderr));
}

/** A palette PNG (colour type 3) written by hand: the indices are the class ids. */
function palettePng(path: string, width: number, height: number, indices: Uint8Array): void {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 3, 0, 0, 0], 8); // 8-bit, palette
  // VOC-like colours: index k gets an arbitrary distinct colour (the colour is irrelevant).
  const plte = Buffer.from(Array.from({ length: 256 * 3 }, (_, i) => (i * 37) % 256));
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++)
    rows.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', plte),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  writeFileSync(path, png);
}

test('masks: greyscale values and palette indices come back exactly; colour masks are refused', async () => {
  const values = Uint8Array.from([0, 1, 15, 255, 20, 0, 7, 3]);
  greyPng(join(dir, 'g.png'), 4, 2, values);
  palettePng(join(dir, 'p.png'), 4, 2, values);
  for (const name of ['g.png', 'p.png']) {
    const m = await readClassMask(join(dir, name));
    assert.equal([m.width, m.height, [...m.classes]], [4, 2, [...values]], name);
  }
  const rgb = join(dir, 'rgb.png');
  const r = spawnSync(ffmpegPath, [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'color=c=red:size=4x2',
    '-frames:v',
    '1',
    '-pix_fmt',
    'rgb24',
    rgb,
  ]);
  assert.is(r.status, 0);
  try {
    await readClassMask(rgb);
    assert.unreachable('a colour mask must be refused');
  } catch (err) {
    assert.match((err as Error).message, /is rgb24; masks hold class ids/);
  }
});

test('eval seg: a constant person-left model against masks, through the CLI', () => {
  // The model says person (15) in output columns 0–3 of 8, background elsewhere; a
  // 16x8 image is letterboxed to scale 1/2, so source columns 0–7 are person.
  const values = new Array<number>(21 * 64).fill(0);
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 8; x++) values[(x < 4 ? 15 : 0) * 64 + y * 8 + x] = 5;
  const model = join(dir, 'voc.onnx');
  writeFileSync(
    model,
    buildConstantModel([{ name: 'out', dims: [1, 21, 8, 8], values }], { input: [1, 3, 8, 8] }),
  );
  const images = join(dir, 'images');
  const masks = join(dir, 'masks');
  mkdirSync(images);
  mkdirSync(masks);
  const image = spawnSync(ffmpegPath, [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'color=c=gray:size=16x8',
    '-frames:v',
    '1',
    join(images, 'a.png'),
  ]);
  assert.is(image.status, 0);
  // Truth: person in columns 0–5 of every row, background in 6–13, and columns 14–15
  // ignored (255). Person: TP 6·8 = 48, FP 2·8 = 16 (columns 6–7) → IoU 48/64 = 0.75.
  // Background: TP 6·8 = 48 (columns 8–13), FN 16 → IoU 48/64 = 0.75. Accuracy 96/112.
  const truth = new Uint8Array(16 * 8);
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 16; x++) truth[y * 16 + x] = x < 6 ? 15 : x < 14 ? 0 : 255;
  palettePng(join(masks, 'a.png'), 16, 8, truth);
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli.ts',
      'eval',
      'seg',
      '--images',
      images,
      '--masks',
      masks,
      '--model',
      model,
      '--json',
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(
    s.classes.map((c: { label: string; iou: number }) => [c.label, c.iou]),
    [
      ['background', 0.75],
      ['person', 0.75],
    ],
  );
  assert.equal([s.mIoU, s.pixelAccuracy, s.pixels, s.images], [0.75, 0.857143, 112, 1]);
  const missing = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli.ts',
      'eval',
      'seg',
      '--images',
      images,
      '--masks',
      dir,
      '--model',
      model,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.is.not(missing.status, 0);
  assert.match(missing.stderr, /no mask for a\.png/);
});

test.run();
