/**
 * Per-frame cost of the encode stage at 720p (testsrc2, 1280x720, 30 fps, the
 * default bitrate of 0.1 bpp ≈ 2.8 Mbit/s), for each backend and latency mode:
 *
 * - throughput: all frames offered at once (queue 8), wall time / frames;
 * - latency: one frame in flight at a time (as with `maxInFlight: 1`), time from
 *   handing a frame to the stage until it comes out with its packet (p50, p95);
 * - the bitrate reached and the luma PSNR of the packets decoded by ffmpeg.
 *
 * Frames are generated before timing. The first 10 frames of each run are not
 * timed (encoder start-up).
 *
 *     node --import tsx scripts/encode-cost.ts [frames]
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, from, Subject, toArray } from 'rxjs';
import { encodedOf } from '../src/core/encoded.ts';
import type { Frame } from '../src/core/frame.ts';
import { Mp4Muxer } from '../src/sinks/mp4-muxer.ts';
import { type EncodeConfig, encodeOperator } from '../src/stages/encode.ts';
import {
  baseConfig,
  type Clip,
  context,
  decodeWithFfmpeg,
  psnr,
  rawClip,
} from '../test/helpers/encode.ts';

const FRAMES = Number(process.argv[2] ?? 150);
const WARMUP = 10;
const W = 1280;
const H = 720;
const FPS = 30;

/** Fresh frame objects over the same pixels (the stage attaches meta to each). */
function framesOf(clip: Clip): Frame[] {
  return clip.originals.map((data, seq) => ({
    ...clip.frames[seq]!,
    data,
    meta: { timings: {} },
  }));
}

async function throughput(
  clip: Clip,
  config: EncodeConfig,
): Promise<{ msPerFrame: number; out: Frame[] }> {
  const frames = framesOf(clip);
  // Start-up (process spawn, encoder configuration) is not what a long run pays per frame.
  await firstValueFrom(
    from(frames.slice(0, WARMUP)).pipe(encodeOperator(config, context(FPS)), toArray()),
  );
  const t0 = performance.now();
  const out = await firstValueFrom(
    from(frames).pipe(encodeOperator(config, context(FPS)), toArray()),
  );
  return { msPerFrame: (performance.now() - t0) / frames.length, out };
}

async function latency(clip: Clip, config: EncodeConfig): Promise<number[]> {
  const frames = framesOf(clip);
  const input = new Subject<Frame>();
  const times: number[] = [];
  let sent = 0;
  let at = 0;
  const next = () => {
    const f = frames[sent++];
    if (!f) return input.complete();
    at = performance.now();
    input.next(f);
  };
  const done = new Promise<void>((resolve, reject) =>
    input.pipe(encodeOperator({ ...config, queue: 1 }, context(FPS))).subscribe({
      next: (f) => {
        if (f.seq >= WARMUP) times.push(performance.now() - at);
        setImmediate(next);
      },
      error: reject,
      complete: resolve,
    }),
  );
  next();
  await done;
  return times.sort((a, b) => a - b);
}

async function quality(clip: Clip, out: Frame[]): Promise<{ kbps: number; db: number }> {
  const path = join(tmpdir(), `fw-encode-cost-${process.pid}.mp4`);
  const muxer = new Mp4Muxer(path, 1_000_000 / FPS);
  let bytes = 0;
  for (const f of out) {
    const e = encodedOf(f)!;
    bytes += e.packet.data.length;
    await muxer.add(e);
  }
  await muxer.finish();
  const decoded = await decodeWithFfmpeg(path, W, H);
  rmSync(path, { force: true });
  const db = decoded.frames.map((d, i) =>
    psnr(d.subarray(0, W * H), clip.originals[i]!.subarray(0, W * H)),
  );
  return {
    kbps: (bytes * 8 * FPS) / out.length / 1000,
    db: db.reduce((a, b) => a + b, 0) / db.length,
  };
}

const clip = rawClip({ count: FRAMES, width: W, height: H, rate: FPS });
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
console.log(`encode cost, ${W}x${H}, ${FRAMES} frames, ${FPS} fps nominal, default bitrate`);
console.log('backend     latencyMode  ms/frame  fps    latency p50  p95 ms  kbit/s  Y PSNR dB');
for (const encoder of ['webcodecs', 'ffmpeg'] as const) {
  for (const latencyMode of ['quality', 'realtime'] as const) {
    const config: EncodeConfig = { ...baseConfig, encoder, latencyMode };
    const t = await throughput(clip, config);
    const l = await latency(clip, config);
    const q = await quality(clip, t.out);
    console.log(
      [
        encoder.padEnd(11),
        latencyMode.padEnd(12),
        t.msPerFrame.toFixed(2).padStart(8),
        (1000 / t.msPerFrame).toFixed(0).padStart(5),
        pct(l, 0.5).toFixed(2).padStart(12),
        pct(l, 0.95).toFixed(2).padStart(7),
        q.kbps.toFixed(0).padStart(7),
        q.db.toFixed(1).padStart(10),
      ].join(' '),
    );
  }
}
