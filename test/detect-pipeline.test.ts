/**
 * The detect stage inside a real pipeline: file source (ffmpeg, yuv420p frames)
 * → resize → detect → jsonl sink. Boxes in the JSON lines are in source pixels.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/commands/media-io.ts';
import { registries as builtIn } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/log.ts';
import { iou } from '../src/models/nms.ts';
import { detectStage } from '../src/stages/detect.ts';
import { withTestComponents } from './helpers/registries.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-detect-pipeline-'));
// Until (and after) the stage is registered in components-all.ts.
const registries = builtIn.stages.has('detect')
  ? builtIn
  : withTestComponents({ stages: [detectStage] });

test('file → resize → detect → jsonl: every frame, in order, boxes in source pixels', async () => {
  const video = join(dir, 'cat.mkv');
  const made = spawnSync(ffmpegPath, [
    ...['-hide_banner', '-loglevel', 'error', '-loop', '1', '-i', 'test/fixtures/chelsea.png'],
    ...['-vf', 'scale=450:300', '-r', '10', '-frames:v', '4', '-c:v', 'ffv1', video],
  ]);
  assert.is(made.status, 0, String(made.stderr));
  const out = join(dir, 'detections.jsonl');
  const yaml = `
source: { type: file, path: ${video} }
stages:
  - { type: resize, width: 320, height: 240 }
  - { type: detect, classes: [cat], confidence: 0.4 }
sinks:
  - { type: jsonl, path: ${out} }
`;
  const config = parsePipeline(yaml, 'detect.yaml', { registries });
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
    .map(
      (l) =>
        JSON.parse(l) as {
          seq: number;
          width: number;
          height: number;
          detections: { box: number[]; label: string }[];
        },
    );
  assert.equal(
    lines.map((l) => l.seq),
    [0, 1, 2, 3],
  );
  for (const l of lines) {
    assert.equal([l.width, l.height], [450, 300], 'the source size, not the resized one');
    assert.ok(l.detections.length >= 1, `frame ${l.seq}: no cat`);
    assert.is(l.detections[0]!.label, 'cat');
    // The hand-labelled cat of chelsea.png (451 wide), scaled to 450.
    const overlap = iou(l.detections[0]!.box, [0, 0, 399, 300]);
    assert.ok(
      overlap > 0.6,
      `frame ${l.seq}: IoU ${overlap.toFixed(3)} ${JSON.stringify(l.detections[0])}`,
    );
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
