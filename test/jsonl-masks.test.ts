/**
 * Masks in the JSON-lines contract, through a real pipeline: file source
 * (ffmpeg) → resize → a stage that plants masked detections and a semantic
 * map in source pixels → jsonl sink. Instance masks and per-class RLE are COCO
 * RLE of the SOURCE frame (64×48), not of the resized one (32×24), and every
 * record passes the shipped schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { map } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { defineStage } from '../src/core/component.ts';
import { Detections } from '../src/core/detections.ts';
import { silentLogger } from '../src/core/log.ts';
import { decodeRle } from '../src/core/rle.ts';
import { schemaErrors } from './config-mini-validator.ts';
import { makeVideo, tempDir } from './helpers/media.ts';
import { withTestComponents } from './helpers/registries.ts';
import { schemaOf } from './helpers/ws-feed.ts';

const { dir, cleanup } = tempDir('framewire-jsonl-masks-');
const W = 64;
const H = 48;

// An L of three pixels whose bitmap starts at source pixel (10, 5):  1 0 / 1 1.
const lMask = { x: 10, y: 5, width: 2, height: 2, data: Uint8Array.of(1, 0, 1, 1) };
const lPixels = ['10,5', '10,6', '11,6'];
// A box of "person" pixels, x 20..29, y 30..39 (100 pixels); the rest background.
const inPerson = (x: number, y: number) => x >= 20 && x < 30 && y >= 30 && y < 40;

const plant = defineStage({
  type: 'plant-masks',
  doc: 'test: masked detections and a semantic map in source pixels',
  options: {},
  create: () =>
    map((frame) => {
      const t = frame.meta.transform!;
      assert.equal([t.sourceWidth, t.sourceHeight, frame.width], [W, H, 32], 'after resize');
      frame.meta.detections = new Detections({
        boxes: Float32Array.of(10, 5, 12, 7, 40, 8, 50, 20),
        scores: Float32Array.of(0.9, 0.8),
        classIds: Int32Array.of(0, 0),
        names: ['person'],
        masks: [lMask, undefined],
      });
      const classes = new Uint8Array(W * H);
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) classes[y * W + x] = inPerson(x, y) ? 1 : 0;
      frame.meta.segmentation = { width: W, height: H, classes, labels: ['background', 'person'] };
      return frame;
    }),
});
const registries = withTestComponents({ stages: [plant] });

interface Rle {
  size: [number, number];
  counts: string;
}
interface Line {
  seq: number;
  width: number;
  height: number;
  detections: { mask?: Rle }[];
  segmentation?: {
    width: number;
    height: number;
    classes: { classId: number; label: string; pixels: number; fraction: number; mask?: Rle }[];
  };
}

async function run(sinkOptions: string): Promise<Line[]> {
  const video = join(dir, 'in.mkv');
  await makeVideo(video, { frames: 3, size: `${W}x${H}`, extra: ['-c:v', 'ffv1'] });
  const out = join(dir, `out-${sinkOptions.length}.jsonl`);
  const yaml = `
source: { type: file, path: ${video} }
stages:
  - { type: resize, width: 32, height: 24 }
  - { type: plant-masks }
sinks:
  - { type: jsonl, path: ${out}${sinkOptions} }
`;
  const config = parsePipeline(yaml, 'masks.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
  });
  await run.run();
  const lines = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  for (const l of lines) {
    // The JSON-lines record is the WebSocket detections message without its envelope.
    const problems = schemaErrors(schemaOf('detections'), {
      type: 'detections',
      v: 1,
      ...l,
      sentAt: 0,
    });
    assert.equal(problems, [], `frame ${l.seq}`);
  }
  return lines;
}

/** The set pixels of an RLE as "x,y" strings, row by row. */
function pixelsOf(rle: Rle): string[] {
  const m = decodeRle(rle);
  const out: string[] = [];
  m.data.forEach((v, i) => {
    if (v) out.push(`${i % m.width},${Math.floor(i / m.width)}`);
  });
  return out;
}

test('instance masks are COCO RLE of the source frame, after a resize too', async () => {
  const lines = await run('');
  assert.is(lines.length, 3);
  for (const l of lines) {
    assert.equal([l.width, l.height], [W, H]);
    const [masked, bare] = l.detections;
    assert.equal(masked!.mask!.size, [H, W], 'size is [height, width] of the source');
    assert.equal(pixelsOf(masked!.mask!), lPixels);
    // Column-major runs by hand: 10 × 48 + 5 = 485 zeros, 2 ones (x 10, y 5..6), 41 + 6 = 47
    // zeros down to (11, 6), 1 one, 2537 zeros; compressed as 5-bit groups from '0' (runs
    // after the second as the difference to the one two before): U? 2 _1 O j]2.
    assert.is(masked!.mask!.counts, 'U?2_1Oj]2');
    assert.is(bare!.mask, undefined, 'a detection without a mask has none');
  }
});

test('segmentation: class shares without RLE unless the sink asks', async () => {
  const [l] = await run('');
  assert.equal(l!.segmentation, {
    width: W,
    height: H,
    classes: [
      // 3072 pixels: 2972 / 3072 and 100 / 3072, to 6 digits.
      { classId: 0, label: 'background', pixels: 2972, fraction: 0.967448 },
      { classId: 1, label: 'person', pixels: 100, fraction: 0.032552 },
    ],
  });
});

test('segmentationRle: each class carries its pixels as RLE of the source frame', async () => {
  const lines = await run(', segmentationRle: true');
  for (const l of lines) {
    const [background, person] = l.segmentation!.classes;
    assert.equal(person!.mask!.size, [H, W]);
    const want: string[] = [];
    const rest: string[] = [];
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) (inPerson(x, y) ? want : rest).push(`${x},${y}`);
    }
    assert.equal(pixelsOf(person!.mask!), want);
    assert.equal(pixelsOf(background!.mask!), rest);
  }
});

test.after(cleanup);

test.run();
