/**
 * The thread budget: the rule on hand-worked cases, and its threads reaching
 * the ffmpeg processes a real pipeline starts (through a FRAMEWIRE_FFMPEG
 * wrapper that records its argv and runs the real ffmpeg).
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { silentLogger } from '../src/core/log.ts';
import { threadBudget } from '../src/core/thread-budget.ts';
import { ffmpegEncodeArgs } from '../src/stages/encode-ffmpeg.ts';
import { makeVideo, tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir('framewire-budget-');

test('the rule, worked by hand: codecs a quarter of the cores each (at least 1), inference the rest', () => {
  // 2 cores, detect + encode: quarter = 0 → 1 each for decode and encode; inference 2 − 0 = 2.
  assert.equal(threadBudget({ inference: 1, encode: true }, 2), {
    cores: 2,
    inference: 2,
    decode: 1,
    encode: 1,
  });
  // 1 core: everything gets one thread.
  assert.equal(threadBudget({ inference: 1, encode: true }, 1), {
    cores: 1,
    inference: 1,
    decode: 1,
    encode: 1,
  });
  // 8 cores, detect + encode: quarter = 2 → decode 2, encode 2, inference 8 − 4 = 4.
  assert.equal(threadBudget({ inference: 1, encode: true }, 8), {
    cores: 8,
    inference: 4,
    decode: 2,
    encode: 2,
  });
  // 8 cores, detect without encoding: decode 2, inference 8 − 2 = 6.
  assert.is(threadBudget({ inference: 1, encode: false }, 8).inference, 6);
  // 16 cores, detect + segment + encode: 16 − 8 = 8, 4 per inference stage.
  assert.equal(threadBudget({ inference: 2, encode: true }, 16), {
    cores: 16,
    inference: 4,
    decode: 4,
    encode: 4,
  });
  // No inference: decoder and encoder halve the cores; decoding alone takes them all.
  assert.equal(threadBudget({ inference: 0, encode: true }, 8).decode, 4);
  assert.equal(threadBudget({ inference: 0, encode: true }, 8).encode, 4);
  assert.equal(threadBudget({ inference: 0, encode: false }, 8).decode, 8);
  // Three inference stages on 2 cores still get one thread each.
  assert.is(threadBudget({ inference: 3, encode: true }, 2).inference, 1);
});

test('x264 gets -threads after the codec when a count is given, none otherwise', () => {
  const base = {
    profile: 'high',
    bitrate: 1e6,
    latencyMode: 'quality',
    keyframeInterval: 1,
  } as const;
  const format = { width: 320, height: 240, fps: 25 };
  const args = ffmpegEncodeArgs({ ...base, threads: 3 }, format as never);
  const at = args.indexOf('-threads');
  assert.ok(at > args.indexOf('libx264'), args.join(' '));
  assert.is(args[at + 1], '3');
  assert.not.ok(ffmpegEncodeArgs(base, format as never).includes('-threads'));
});

/** A stand-in ffmpeg: appends its argv (one line) to `log`, then runs the real one. */
function recordingFfmpeg(log: string): string {
  const script = join(dir, 'ffmpeg-recorder.sh');
  writeFileSync(
    script,
    `#!/bin/sh\necho "$*" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(ffmpegPath)} "$@"\n`,
  );
  chmodSync(script, 0o755);
  return script;
}

async function runPipeline(yaml: string): Promise<void> {
  const config = parsePipeline(yaml, join(dir, 'p.yaml'), { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: dir,
  });
  await run.run();
}

/** The value after `-threads` in an argv line, and whether it comes before `-i`. */
function threadsIn(line: string): { value: string | undefined; beforeInput: boolean } {
  const words = line.split(' ');
  const at = words.indexOf('-threads');
  return {
    value: at < 0 ? undefined : words[at + 1],
    beforeInput: at >= 0 && at < words.indexOf('-i'),
  };
}

test('the budget reaches ffmpeg: decoder -threads before -i, x264 -threads; a stage option overrides', async () => {
  const video = await makeVideo(join(dir, 'in.mp4'), { frames: 5 });
  const log = join(dir, 'argv.log');
  const previous = process.env.FRAMEWIRE_FFMPEG;
  process.env.FRAMEWIRE_FFMPEG = recordingFfmpeg(log);
  try {
    await runPipeline(
      `source: { type: file, path: ${video}, decoder: ffmpeg }\nsinks: [ { type: file, path: ${join(dir, 'out.mp4')} } ]\n`,
    );
    const budget = threadBudget({ inference: 0, encode: true }, availableParallelism());
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const decoder = lines.find((l) => l.includes('rawvideo') && l.includes(video))!;
    const encoder = lines.find((l) => l.includes('libx264'))!;
    assert.ok(decoder && encoder, lines.join('\n'));
    assert.equal(threadsIn(decoder), { value: String(budget.decode), beforeInput: true });
    assert.is(threadsIn(encoder).value, String(budget.encode));

    writeFileSync(log, '');
    await runPipeline(
      `source: { type: file, path: ${video}, decoder: ffmpeg }\nstages: [ { type: encode, threads: 3 } ]\nsinks: [ { type: file, path: ${join(dir, 'out2.mp4')} } ]\n`,
    );
    const again = readFileSync(log, 'utf8').trim().split('\n');
    assert.is(threadsIn(again.find((l) => l.includes('libx264'))!).value, '3');
  } finally {
    if (previous === undefined) delete process.env.FRAMEWIRE_FFMPEG;
    else process.env.FRAMEWIRE_FFMPEG = previous;
  }
});

test.after(cleanup);
test.run();
