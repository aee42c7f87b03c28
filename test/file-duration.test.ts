// `start` and `duration` cut a file exactly: the frames delivered are those with
// start ≤ t < start + duration, re-based so `start` is 0, on both decoder paths;
// and the source announces how many that will be (for percent and ETA).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import { systemClock } from '../src/core/clock.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { silentLogger } from '../src/core/log.ts';
import { tempDir } from './helpers/media.ts';
import {
  constantRate,
  cut,
  runFileToJsonl,
  type TimedFile,
  variableRate,
} from './helpers/timed-media.ts';

const { dir, cleanup } = tempDir('fw-duration-');
test.after(cleanup);

const files: Record<string, TimedFile> = {};
test.before(() => {
  files.cfr10 = constantRate(dir, 'cfr10.mp4', '10', 60);
  files.long10 = constantRate(dir, 'long10.mp4', '10', 350);
  files.ntsc = constantRate(dir, 'ntsc.mp4', '30000/1001', 90);
  files.vfr = variableRate(dir, 'vfr.mp4', 40);
});

// Each case: a file, start/duration in seconds, and the frame count by hand
// (the pts themselves are checked against `cut` of the file's known times).
const cases = [
  // The issue: 10 fps, 3 s must be 30 frames (the webcodecs path gave 32).
  { file: 'cfr10', duration: 3, frames: 30 },
  // The issue: 30 s of a 10 fps clip is 300 frames, as `ffmpeg -t 30` gives (not 301).
  { file: 'long10', duration: 30, frames: 300 },
  // The frame at exactly start + duration (0.3 s) is not included: 0, 0.1, 0.2.
  { file: 'cfr10', duration: 0.3, frames: 3 },
  // 1.5 ≤ t < 3.5: frames 15…34; the first is at 0 after re-basing.
  { file: 'cfr10', start: 1.5, duration: 2, frames: 20 },
  // Between frames: 2.05 ≤ t < 3.05 is 2.1…3.0, the first at 50 ms.
  { file: 'cfr10', start: 2.05, duration: 1, frames: 10 },
  // Past the end: only what is there (5.0…5.9).
  { file: 'cfr10', start: 5, duration: 10, frames: 10 },
  // Looping a 6 s file for 8 s: frames 0…79, 100 ms apart (timestamps go on across the loop).
  { file: 'cfr10', loop: true, duration: 8, frames: 80 },
  // start alone: 4.0…5.9.
  { file: 'cfr10', start: 4, frames: 20 },
  // 29.97 fps, 1 ≤ k·1001/30000 < 2: k = 30…59.
  { file: 'ntsc', start: 1, duration: 1, frames: 30 },
  // The 61st frame is at exactly 2.002 s (60 × 1001/30000): excluded.
  { file: 'ntsc', duration: 2.002, frames: 60 },
  // VFR, 1.05 ≤ t < 2.05: 1.1 1.2 1.34 1.4 1.5 1.64 1.7 1.8 1.94 2.0.
  { file: 'vfr', start: 1.05, duration: 1, frames: 10 },
  // VFR, t < 0.44: 0 0.14 0.2 0.3 (0.44 itself excluded).
  { file: 'vfr', duration: 0.44, frames: 4 },
];

for (const decoder of ['webcodecs', 'ffmpeg']) {
  for (const c of cases) {
    const cutText = `start ${c.start ?? '-'}, duration ${c.duration ?? '-'}${c.loop ? ', loop' : ''}`;
    test(`${c.file}, ${cutText}, decoder ${decoder}: ${c.frames} frames at the cut's times`, async () => {
      const f = files[c.file]!;
      // Looping plays the file again right after its 6 s (60 frames × 100 ms).
      const times = c.loop ? { ...f, pts: [...f.pts, ...f.pts.map((t) => t + 6_000_000)] } : f;
      const expected = cut(times, c.start, c.duration);
      assert.is(expected.length, c.frames, 'hand count agrees with the construction');
      const run = await runFileToJsonl(dir, {
        path: f.path,
        decoder,
        ...(c.start !== undefined ? { start: c.start } : {}),
        ...(c.duration !== undefined ? { duration: c.duration } : {}),
        ...(c.loop ? { loop: true } : {}),
      });
      assert.equal(run.pts, expected);
    });
  }
}

/** Opens a `file` source with these options and returns its announced total. */
async function announcedTotal(options: Record<string, unknown>): Promise<number | undefined> {
  const yaml = `source: ${JSON.stringify({ type: 'file', ...options })}\nsinks: [ { type: "null" } ]`;
  const config = parsePipeline(yaml, 'test.yaml', { registries });
  const source = await registries.sources.get('file').create(config.source.options as never, {
    name: 'source (file)',
    clock: systemClock,
    log: silentLogger,
    baseDir: dir,
    pool: new FramePool(),
    stream: undefined,
    count: () => {},
    report: () => {},
    health: () => {},
  });
  try {
    return (await source.open()).frames;
  } finally {
    await source.close();
  }
}

// Each case: options and the total the source must announce (duration × fps of
// what it will read; unknown when looping with no duration).
const totals = [
  { options: { path: 'cfr10.mp4' }, frames: 60 },
  { options: { path: 'cfr10.mp4', start: 1.5, duration: 2 }, frames: 20 },
  { options: { path: 'cfr10.mp4', start: 5, duration: 10 }, frames: 10 },
  { options: { path: 'long10.mp4', duration: 30 }, frames: 300 },
  // 90 × 1001/30000 = 3.003 s; ffmpeg states 3.00 s at 29.97 fps: 89.9 rounds to 90.
  { options: { path: 'ntsc.mp4' }, frames: 90 },
  { options: { path: 'cfr10.mp4', loop: true }, frames: undefined },
  // Looping a 6 s file for 8 s: 80 frames.
  { options: { path: 'cfr10.mp4', loop: true, duration: 8 }, frames: 80 },
];

for (const decoder of ['webcodecs', 'ffmpeg']) {
  for (const t of totals) {
    test(`total frames of ${JSON.stringify(t.options)}, decoder ${decoder}: ${t.frames}`, async () => {
      assert.is(await announcedTotal({ ...t.options, decoder }), t.frames);
    });
  }
}

test.run();
