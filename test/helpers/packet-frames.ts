// Shared by the decode tests: generated H.264 files, packet frames read from
// them the way a `file` source with `output: packets` emits them, and ffmpeg's
// own decode of the same file as the pixel reference.
import { execFileSync } from 'node:child_process';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { firstValueFrom, type Observable, type OperatorFunction, toArray } from 'rxjs';
import { systemClock } from '../../src/core/clock.ts';
import type { ComponentContext } from '../../src/core/component.ts';
import type { Frame, Packet } from '../../src/core/frame.ts';
import { FramePool } from '../../src/core/frame-pool.ts';
import { silentLogger } from '../../src/core/log.ts';
import { openPacketReader } from '../../src/sources/packet-reader.ts';

/** 50 frames of testsrc2 at 25 fps, a key frame every 10 (no scene-cut extras). */
export function encode(path: string, size: string, extra: string[]): void {
  execFileSync(ffmpeg.path, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`],
    ...['-frames:v', '50', '-pix_fmt', 'yuv420p', '-g', '10', '-sc_threshold', '0'],
    ...['-c:v', 'libx264', ...extra, path],
  ]);
}

/** What the bundled ffmpeg decodes from the same file: the reference pixels. */
export function reference(path: string): Buffer {
  return execFileSync(
    ffmpeg.path,
    ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
    { maxBuffer: 1 << 28 },
  );
}

/** A minimal stage context with a real pool; `counts` collects `ctx.count` events. */
export function context(
  baseDir: string,
  pool = new FramePool(),
): ComponentContext & { counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  return {
    name: 'stages[0] (decode)',
    clock: systemClock,
    log: silentLogger,
    baseDir,
    pool,
    stream: undefined,
    counts,
    count(event, n = 1) {
      counts[event] = (counts[event] ?? 0) + n;
    },
    report(err) {
      counts[err.code] = (counts[err.code] ?? 0) + 1;
    },
    health: () => {},
  };
}

/** Packet frames as a `file` source with `output: packets` would emit them. */
export async function packetFrames(path: string): Promise<Frame[]> {
  const reader = openPacketReader({ inputArgs: ['-i', path] });
  try {
    const info = await reader.open();
    const frames: Frame[] = [];
    for await (const packet of reader) frames.push(packetFrame(frames.length, packet, info));
    return frames;
  } finally {
    await reader.close();
  }
}

export function packetFrame(
  seq: number,
  packet: Packet,
  size: { width: number; height: number },
): Frame {
  return {
    seq,
    pts: packet.pts,
    time: 0,
    width: size.width,
    height: size.height,
    format: 'yuv420p',
    data: new Uint8Array(0),
    sourceId: 'test',
    meta: { timings: {}, packet },
  };
}

export const run = (frames$: Observable<Frame>, op: OperatorFunction<Frame, Frame>) =>
  firstValueFrom(frames$.pipe(op, toArray()));

export function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return se === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / (se / a.length));
}
