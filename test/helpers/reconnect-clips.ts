// What a live source delivers across a reconnect, built from real H.264: the
// packets of one clip, then those of a second clip (maybe of another size)
// re-numbered and re-timed the way core/reconnecting-source.ts does it: seq
// gapless, pts continuing after a jump of `gapUs` (the outage), and the first
// frame after it marked `meta.discontinuity`.
import { execFileSync } from 'node:child_process';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { defineSource, type Source, type SourceObserver } from '../../src/core/component.ts';
import type { Frame, Packet } from '../../src/core/frame.ts';
import { packetFrames } from './packet-frames.ts';

/** `frames` frames of testsrc2 at 25 fps, a key frame every 10 (no scene-cut extras). */
export function clip(path: string, size: string, frames: number, extra: string[] = []): string {
  execFileSync(ffmpeg.path, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`],
    ...['-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-g', '10', '-sc_threshold', '0'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', ...extra, path],
  ]);
  return path;
}

/** 25 fps. */
export const FRAME_US = 40_000;

/**
 * The packet frames of `first`, then those of `second` after a gap: frame k of
 * the second part has seq `first.length + k` and pts `offset + its own pts`,
 * where `offset` puts its first presented picture `gapUs` after the last
 * presented picture of the first part. Frames are copies; `skip` drops that
 * many packets from the start of the second part (a connection that did not
 * start at a key frame).
 */
export function reconnected(
  first: readonly Frame[],
  second: readonly Frame[],
  gapUs: number,
  skip = 0,
): Frame[] {
  const lastPts = Math.max(...first.map((f) => f.pts));
  const firstPts = Math.min(...second.map((f) => f.pts));
  const offset = lastPts + gapUs - firstPts;
  const shift = (p: Packet): Packet => ({ ...p, pts: p.pts + offset, dts: p.dts + offset });
  const after = second.slice(skip).map(
    (f, k): Frame => ({
      ...f,
      seq: first.length + k,
      pts: f.pts + offset,
      meta: {
        timings: {},
        packet: shift(f.meta.packet!),
        ...(k === 0 ? { discontinuity: true as const } : {}),
      },
    }),
  );
  const before = first.map((f): Frame => ({ ...f, meta: { timings: {}, packet: f.meta.packet! } }));
  return [...before, ...after];
}

/** Both clips' packet frames, joined as `reconnected` does. */
export async function reconnectedFrames(
  firstPath: string,
  secondPath: string,
  gapUs: number,
  skip = 0,
): Promise<Frame[]> {
  return reconnected(await packetFrames(firstPath), await packetFrames(secondPath), gapUs, skip);
}

/**
 * A source that emits `frames()` (packet frames) against demand, as a live
 * source's connections would, but never drops one, so a test's counts are exact.
 * Its stream info is the first connection's, as a live source reports it.
 */
export function reconnectingTestSource(type: string, frames: () => Promise<Frame[]>) {
  return defineSource({
    type,
    doc: 'test: two connections of real H.264 packets with a discontinuity between them',
    options: {},
    create: (): Source => {
      let queue: Frame[] = [];
      let observer: SourceObserver | undefined;
      let demand = 0;
      const pump = () => {
        while (observer && demand > 0 && queue.length > 0) {
          demand--;
          observer.next(queue.shift()!);
        }
        if (observer && queue.length === 0) {
          const o = observer;
          observer = undefined;
          o.complete();
        }
      };
      return {
        live: false,
        async open() {
          queue = await frames();
          const first = queue[0]!;
          return {
            width: first.width,
            height: first.height,
            format: 'yuv420p',
            fps: 25,
            frames: undefined,
            emits: 'packets',
          };
        },
        start(o) {
          observer = o;
          pump();
        },
        request(n) {
          demand += n;
          pump();
        },
        stop() {
          queue = [];
          pump();
        },
        async close() {},
        dropped: () => 0,
      };
    },
  });
}
