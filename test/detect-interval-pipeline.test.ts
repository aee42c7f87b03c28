/**
 * `interval` through a real pipeline: file → detect (the embedded model,
 * interval 3) → jsonl. The JSON lines of the frames between carry the inferred
 * frame's detections exactly, each marked `"predicted": true`; inferred frames
 * have no such key.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/commands/media-io.ts';
import { registries } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import type { Detection } from '../src/core/detection.ts';
import { silentLogger } from '../src/core/log.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-detect-interval-'));

test('file → detect (interval: 3) → jsonl: frames 1, 2, 4, 5 carry frames 0 and 3, marked predicted', async () => {
  const video = join(dir, 'cat.mkv');
  // The view pans 10 px a frame (the cat slides left), so each inferred frame finds it somewhere new.
  const made = spawnSync(ffmpegPath, [
    ...['-hide_banner', '-loglevel', 'error', '-loop', '1', '-i', 'test/fixtures/chelsea.png'],
    ...['-vf', "scale=450:300,pad=600:300:75:0,crop=520:300:'n*10':0"],
    ...['-r', '10', '-frames:v', '7'],
    ...['-c:v', 'ffv1', video],
  ]);
  assert.is(made.status, 0, String(made.stderr));
  const out = join(dir, 'detections.jsonl');
  const yaml = `
source: { type: file, path: ${video} }
stages:
  - { type: detect, classes: [cat], interval: 3 }
sinks:
  - { type: jsonl, path: ${out} }
`;
  const config = parsePipeline(yaml, 'interval.yaml', { registries });
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
    .map((l) => JSON.parse(l) as { seq: number; detections: Detection[] });
  assert.equal(
    lines.map((l) => l.seq),
    [0, 1, 2, 3, 4, 5, 6],
  );
  for (const l of lines) {
    assert.ok(l.detections.length >= 1, `frame ${l.seq}: no cat`);
    const inferred = lines[l.seq - (l.seq % 3)]!;
    if (l === inferred) {
      assert.ok(
        l.detections.every((d) => !('predicted' in d)),
        `frame ${l.seq}: no predicted key`,
      );
      continue;
    }
    assert.equal(
      l.detections,
      inferred.detections.map((d) => ({ ...d, predicted: true })),
      `frame ${l.seq} carries frame ${inferred.seq}'s detections`,
    );
  }
  // The model did run on frame 3: the cat moved 30 px since frame 0.
  const x = (seq: number) => lines[seq]!.detections[0]!.box[0]!;
  assert.ok(x(0) - x(3) > 15, `frame 3's cat at ${x(3)}, frame 0's at ${x(0)}`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
