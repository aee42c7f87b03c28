// Generated files whose every presentation timestamp is known by construction,
// and a way to run them through `file → jsonl` and read back what a sink saw.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registries } from '../../src/components-all.ts';
import type { StreamInfo } from '../../src/core/component.ts';
import { parsePipeline } from '../../src/config/load.ts';
import { assemblePipeline } from '../../src/core/assemble.ts';
import { systemClock } from '../../src/core/clock.ts';
import { ffmpegPath } from '../../src/core/ffmpeg.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { MeterSnapshot } from '../../src/core/meter.ts';

/** A generated file and the presentation time of each of its frames, in µs. */
export interface TimedFile {
  readonly path: string;
  readonly pts: readonly number[];
}

const encodeArgs = ['-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2', '-pix_fmt', 'yuv420p'];

/**
 * testsrc2 at `rate` (e.g. `10` or `30000/1001`), `frames` frames, High profile with
 * B-frames (decode order differs from presentation order). Frame k is at k / rate.
 */
export function constantRate(dir: string, name: string, rate: string, frames: number): TimedFile {
  const path = join(dir, name);
  execFileSync(
    ffmpegPath,
    [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=160x120:rate=${rate}`],
      ...['-frames:v', String(frames), ...encodeArgs, path],
    ],
    { stdio: 'pipe' },
  );
  const [num, den = '1'] = rate.split('/');
  const pts = Array.from({ length: frames }, (_, k) =>
    Math.round((k * 1_000_000 * Number(den)) / Number(num)),
  );
  return { path, pts };
}

/**
 * Variable frame rate: frame N at N × 0.1 s, plus 0.04 s when N mod 3 = 1, so
 * gaps go 140, 60, 100, 140, 60, 100… ms. `-vsync 0` keeps each timestamp, and
 * `-r 1000` lets the encoder's time base hold them (the MP4 gets 1/16000).
 */
export function variableRate(dir: string, name: string, frames: number): TimedFile {
  const path = join(dir, name);
  execFileSync(
    ffmpegPath,
    [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10'],
      ...[
        '-frames:v',
        String(frames),
        '-vf',
        "settb=1/1000,setpts='(N*0.1+if(eq(mod(N,3),1),0.04,0))/TB'",
      ],
      ...['-vsync', '0', '-r', '1000', ...encodeArgs, path],
    ],
    { stdio: 'pipe' },
  );
  const pts = Array.from({ length: frames }, (_, n) => n * 100_000 + (n % 3 === 1 ? 40_000 : 0));
  return { path, pts };
}

/**
 * What ffmpeg's own decoder says each frame's time is: showinfo's integer pts
 * in its input time base (printed once as `config in time_base: 1/16000`), in µs.
 * The reference the tests hold framewire to, besides the construction.
 */
export function showinfoPts(path: string): number[] {
  const { stderr } = spawnSync(
    ffmpegPath,
    ['-hide_banner', '-i', path, '-vf', 'showinfo', '-vsync', '0', '-f', 'null', '-'],
    { encoding: 'utf8' },
  );
  const tb = /config in time_base: (\d+)\/(\d+)/.exec(stderr);
  if (!tb) throw new Error(`showinfo printed no time base:\n${stderr}`);
  const [num, den] = [Number(tb[1]), Number(tb[2])];
  return [...stderr.matchAll(/\bn:\s*\d+ pts:\s*(-?\d+)/g)].map((m) =>
    Math.round((Number(m[1]) * 1_000_000 * num) / den),
  );
}

/** Frames of `file` inside [start, start + duration), re-based so start is 0, as a sink sees them. */
export function cut(file: TimedFile, start = 0, duration = Number.POSITIVE_INFINITY): number[] {
  const s = Math.round(start * 1e6);
  const e = s + duration * 1e6;
  return file.pts.filter((t) => t >= s && t < e).map((t) => t - s);
}

export interface FileRun {
  readonly pts: number[];
  readonly seq: number[];
  readonly meters: MeterSnapshot[];
  readonly stream: StreamInfo;
}

/** Runs `file → jsonl` in-process and reads the JSON lines back. */
export async function runFileToJsonl(
  dir: string,
  source: Record<string, unknown>,
  stages: Record<string, unknown>[] = [],
): Promise<FileRun> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.jsonl`);
  const yaml = [
    `source: ${JSON.stringify({ type: 'file', ...source })}`,
    `stages: ${JSON.stringify(stages)}`,
    `sinks: [ ${JSON.stringify({ type: 'jsonl', path: out })} ]`,
  ].join('\n');
  const config = parsePipeline(yaml, 'test.yaml', { registries });
  const { run, stream } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: dir,
  });
  const result = await run.run();
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n').filter(Boolean);
  const records = lines.map((l) => JSON.parse(l) as { pts: number; seq: number });
  return {
    pts: records.map((r) => r.pts),
    seq: records.map((r) => r.seq),
    meters: result.meters,
    stream,
  };
}
