/**
 * Shared by the encode and mp4-muxer tests: generated raw clips, a component
 * context that records counted events, the encode operator run to completion,
 * and what the bundled ffmpeg reads back from an MP4 (pixels, timestamps).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { firstValueFrom, from, toArray } from 'rxjs';
import { systemClock } from '../../src/core/clock.ts';
import type { ComponentContext } from '../../src/core/component.ts';
import { ffmpegPath } from '../../src/core/ffmpeg.ts';
import type { Frame } from '../../src/core/frame.ts';
import { FramePool } from '../../src/core/frame-pool.ts';
import type { Logger } from '../../src/core/log.ts';
import { type EncodeConfig, encodeOperator } from '../../src/stages/encode.ts';
import type { EncoderFactory } from '../../src/stages/encode-session.ts';

const exec = promisify(execFile);

export interface Clip {
  readonly width: number;
  readonly height: number;
  readonly frames: Frame[];
  /** Each frame's pixels as generated, to check the stage leaves them alone. */
  readonly originals: Uint8Array[];
}

/**
 * `count` yuv420p frames of ffmpeg's moving testsrc2 pattern. Timestamps are
 * `pts(i)` µs (default: exactly `rate` frames per second).
 */
export function rawClip(opts: {
  count: number;
  width?: number;
  height?: number;
  rate?: number;
  pts?: (i: number) => number;
}): Clip {
  const { count, width = 320, height = 240, rate = 25 } = opts;
  const pts = opts.pts ?? ((i: number) => Math.round((i * 1_000_000) / rate));
  const raw = execFileSync(
    ffmpegPath,
    [
      ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${rate}`],
      ...['-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
    ],
    { maxBuffer: 1 << 30 },
  );
  const size = (width * height * 3) / 2;
  const frames: Frame[] = [];
  const originals: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const data = Uint8Array.prototype.slice.call(raw, i * size, (i + 1) * size);
    originals.push(data.slice());
    frames.push({
      seq: i,
      pts: pts(i),
      time: 0,
      width,
      height,
      format: 'yuv420p',
      data,
      sourceId: 'test',
      meta: { timings: {} },
    });
  }
  return { width, height, frames, originals };
}

export type TestContext = ComponentContext & {
  counts: Record<string, number>;
  warnings: string[];
};

export function context(fps: number | undefined = 25, pool = new FramePool()): TestContext {
  const counts: Record<string, number> = {};
  const warnings: string[] = [];
  const log: Logger = { info: () => {}, warn: (m) => warnings.push(m) };
  return {
    name: 'stages[0] (encode)',
    clock: systemClock,
    log,
    baseDir: process.cwd(),
    pool,
    stream:
      fps === undefined
        ? undefined
        : { width: 0, height: 0, format: 'yuv420p', fps, frames: undefined, live: false },
    counts,
    warnings,
    count(event, n = 1) {
      counts[event] = (counts[event] ?? 0) + n;
    },
    report(err) {
      counts[err.code] = (counts[err.code] ?? 0) + 1;
    },
    health: () => {},
  };
}

export const baseConfig: EncodeConfig = {
  encoder: 'webcodecs',
  keyframeInterval: 1,
  latencyMode: 'quality',
  hardware: 'prefer-software',
  sizeChange: 'scale',
  queue: 8,
};

/** Runs frames through the encode operator and collects what comes out. */
export function encode(
  frames: Frame[],
  config: Partial<EncodeConfig>,
  ctx = context(),
  factory?: EncoderFactory,
): Promise<Frame[]> {
  const op = encodeOperator({ ...baseConfig, ...config }, ctx, factory);
  return firstValueFrom(from(frames).pipe(op, toArray()));
}

/** PSNR of two 8-bit planes, in dB (infinite when equal). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return se === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / (se / a.length));
}

/**
 * What ffmpeg decodes from a video: yuv420p frames (a last partial one dropped),
 * its messages and exit code. A damaged file (cut short) may decode frames and
 * still exit non-zero, so neither rejects.
 */
export function decodeWithFfmpeg(
  path: string,
  width: number,
  height: number,
): Promise<{ frames: Uint8Array[]; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const proc = spawn(ffmpegPath, [
      ...['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
    ]);
    const chunks: Buffer[] = [];
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => chunks.push(d));
    proc.stderr.on('data', (d: Buffer) => (stderr += d));
    proc.on('close', (code) => {
      const all = Buffer.concat(chunks);
      const size = (width * height * 3) / 2;
      const frames: Uint8Array[] = [];
      for (let at = 0; at + size <= all.length; at += size)
        frames.push(all.subarray(at, at + size));
      resolve({ frames, stderr, code });
    });
  });
}

/** Stream facts and every frame's presentation time (µs) as ffmpeg's showinfo filter prints them. */
export async function ffmpegFrameInfo(
  path: string,
): Promise<{ width: number; height: number; codec: string; pts: number[]; keys: boolean[] }> {
  const { stderr } = await exec(ffmpegPath, [
    // -copyts: ffmpeg would otherwise shift the first frame to time 0.
    ...['-hide_banner', '-copyts', '-i', path, '-vf', 'showinfo', '-f', 'null', '-'],
  ]);
  const stream = /Stream #0:0.*?: Video: (h264 \([^)]*\)).*?, (\d+)x(\d+)/.exec(stderr);
  const lines = stderr.split('\n').filter((l) => l.includes('pts_time:'));
  return {
    codec: stream?.[1] ?? '',
    width: Number(stream?.[2]),
    height: Number(stream?.[3]),
    pts: lines.map((l) => Math.round(Number(/pts_time:([\d.]+)/.exec(l)?.[1]) * 1_000_000)),
    keys: lines.map((l) => /iskey:1/.test(l)),
  };
}
