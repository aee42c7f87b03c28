import type { ComponentContext } from '../../src/core/component.ts';
import type { Clock } from '../../src/core/clock.ts';
import { systemClock } from '../../src/core/clock.ts';
import { Detections } from '../../src/core/detections.ts';
import { type Frame, frameByteLength, type PixelFormat } from '../../src/core/frame.ts';
import { FramePool } from '../../src/core/frame-pool.ts';
import { silentLogger } from '../../src/core/log.ts';

/** The grey every generated frame starts as: mid-grey luma, neutral chroma. */
export const GREY = 128;

/** A uniform grey frame (Y = U = V = 128 for yuv420p, R = G = B = 128 for rgb24). */
export function greyFrame(format: PixelFormat, width: number, height: number, seq = 0): Frame {
  return {
    seq,
    pts: seq * 40_000,
    time: Date.UTC(2026, 0, 1, 12, 0, 0) + seq * 40,
    width,
    height,
    format,
    data: new Uint8Array(frameByteLength(format, width, height)).fill(GREY),
    sourceId: 'test',
    meta: { timings: {} },
  };
}

/** Plane accessors for a yuv420p buffer. */
export function yuv(frame: Frame) {
  const { width: w, height: h, data } = frame;
  const cw = Math.ceil(w / 2);
  const ch = Math.ceil(h / 2);
  return {
    y: (x: number, y: number) => data[y * w + x]!,
    u: (cx: number, cy: number) => data[w * h + cy * cw + cx]!,
    v: (cx: number, cy: number) => data[w * h + cw * ch + cy * cw + cx]!,
  };
}

/** The RGB triple at (x, y) of an rgb24 buffer. */
export function rgbAt(frame: Frame, x: number, y: number): [number, number, number] {
  const i = (y * frame.width + x) * 3;
  return [frame.data[i]!, frame.data[i + 1]!, frame.data[i + 2]!];
}

/** Luma pixels (yuv420p) or pixels (rgb24) that differ from grey, as `x,y` keys. */
export function changedPixels(frame: Frame): Set<string> {
  const out = new Set<string>();
  const n = frame.format === 'rgb24' ? 3 : 1;
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const i = (y * frame.width + x) * n;
      for (let k = 0; k < n; k++) {
        if (frame.data[i + k] !== GREY) {
          out.add(`${x},${y}`);
          break;
        }
      }
    }
  }
  return out;
}

/** Every pixel key of the half-open rectangle [x0, x1) × [y0, y1). */
export function rectPixels(x0: number, y0: number, x1: number, y1: number): Set<string> {
  const out = new Set<string>();
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out.add(`${x},${y}`);
  return out;
}

/** Detections of hand-made boxes (source pixels), optionally with track ids. */
export function detections(
  list: {
    box: [number, number, number, number];
    classId?: number;
    score?: number;
    trackId?: number;
  }[],
): Detections {
  return Detections.fromList(
    list.map((d) => ({
      box: d.box,
      score: d.score ?? 0.9,
      classId: d.classId ?? 0,
      label: ['person', 'bicycle', 'car'][d.classId ?? 0] ?? 'thing',
      ...(d.trackId === undefined ? {} : { trackId: d.trackId }),
    })),
    ['person', 'bicycle', 'car'],
  );
}

/** A stage context with the given clock; nothing else is used by the overlay. */
export function stageContext(clock: Clock = systemClock): ComponentContext {
  return {
    name: 'stages[0] (overlay)',
    clock,
    log: silentLogger,
    baseDir: '.',
    pool: new FramePool(),
    count: () => {},
    report: () => {},
    health: () => {},
    stream: undefined,
  };
}

/** A hand-advanced clock for FPS tests. */
export function fakeClock(): Clock & { advance(ms: number): void } {
  let t = 0;
  return {
    now: () => t,
    wallNow: () => t,
    scheduler: { now: () => t, schedule: () => ({ unsubscribe() {}, closed: true }) } as never,
    advance(ms: number) {
      t += ms;
    },
  };
}
