/**
 * `instances` on detect: several sessions of the model take frames in turn.
 * With the same threads per session the boxes are exactly those of one session
 * (each frame is the same inference, only on another worker), every frame
 * leaves, in order, and the detector holds two input slots per session.
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
import type { Frame } from '../src/core/frame.ts';
import { silentLogger } from '../src/core/log.ts';
import { Detector } from '../src/models/detector.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-detect-instances-'));
const IMAGES = ['astronaut', 'chelsea', 'coffee', 'motorcycle_left'];

/** 12 frames, three of each fixture photo, so the boxes change along the clip. */
function makeClip(): string {
  const video = join(dir, 'photos.mkv');
  const inputs = IMAGES.flatMap((n) => [
    '-loop',
    '1',
    '-framerate',
    '3',
    '-t',
    '1',
    '-i',
    `test/fixtures/${n}.png`,
  ]);
  const scaled = IMAGES.map((_, i) => `[${i}]scale=320:240,setsar=1,format=yuv420p[v${i}]`);
  const made = spawnSync(ffmpegPath, [
    ...['-hide_banner', '-loglevel', 'error', ...inputs],
    ...['-filter_complex', `${scaled.join(';')};[v0][v1][v2][v3]concat=n=4[out]`],
    ...['-map', '[out]', '-c:v', 'ffv1', '-y', video],
  ]);
  assert.is(made.status, 0, String(made.stderr));
  return video;
}

async function detectLines(video: string, instances: number): Promise<string[]> {
  const out = join(dir, `instances-${instances}.jsonl`);
  const yaml = `
source: { type: file, path: ${video} }
stages:
  - { type: detect, instances: ${instances}, threads: 1 }
sinks:
  - { type: jsonl, path: ${out} }
`;
  const config = parsePipeline(yaml, 'instances.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
  });
  await run.run();
  return readFileSync(out, 'utf8').trim().split('\n');
}

test('two instances find exactly the boxes one finds, every frame in order', async () => {
  const video = makeClip();
  const one = await detectLines(video, 1);
  const two = await detectLines(video, 2);
  assert.is(one.length, 12);
  const parsed = two.map((l) => JSON.parse(l) as { seq: number; detections: unknown[] });
  assert.equal(
    parsed.map((p) => p.seq),
    [...Array(12).keys()],
  );
  assert.ok(
    parsed.reduce((n, p) => n + p.detections.length, 0) >= 12,
    'the photos give boxes to compare',
  );
  // The whole JSON line but the wall-clock time a frame was read: boxes,
  // scores, labels, the source's timestamps.
  const withoutClock = (l: string) => {
    const { time: _time, timings: _timings, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return rest;
  };
  assert.equal(two.map(withoutClock), one.map(withoutClock));
});

test('a detector with two instances holds four input slots: a fifth frame waits for a run', async () => {
  const detector = await Detector.open({
    confidence: 0.4,
    iou: 0.45,
    maxDetections: 100,
    threads: 1,
    instances: 2,
    log: silentLogger,
  });
  try {
    assert.is(detector.depth, 4);
    const frame = (seq: number): Frame => ({
      seq,
      pts: seq,
      time: seq,
      width: 64,
      height: 64,
      format: 'rgb24',
      data: new Uint8Array(64 * 64 * 3).fill(seq * 40),
      sourceId: 'test',
      meta: { timings: {} },
    });
    const jobs = [0, 1, 2, 3].map((s) => detector.prepare(frame(s)));
    const runs = jobs.map((j) => detector.infer(j));
    assert.throws(() => detector.prepare(frame(4)), /input slot 0 of 4 is still being inferred/);
    const outputs = await Promise.all(runs);
    assert.is(outputs.length, 4);
    // Once frame 0's run settled, its slot takes the fifth frame.
    detector.prepare(frame(4));
  } finally {
    await detector.close();
  }
});

test('instances is a whole number from 1 to 16, or left to the thread budget', () => {
  const parse = (value: string) =>
    parsePipeline(
      `source: { type: testsrc }\nstages:\n  - { type: detect${value} }\nsinks: [ { type: null } ]\n`,
      'p.yaml',
      { registries },
    );
  assert.is(parse('').stages[0]!.options.instances, undefined);
  assert.is(parse(', instances: 16').stages[0]!.options.instances, 16);
  assert.throws(() => parse(', instances: 0'), /instances: must be between 1 and 16, got 0/);
  assert.throws(() => parse(', instances: 1.5'), /instances: expected an integer/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
