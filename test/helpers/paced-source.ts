// A camera-like source in virtual time: `count` frames (or H.264-like packets)
// every `period` ms on the clock's scheduler. Given no demand it holds frames
// back (a producer that is paused), so the runner's `block` can be tested too.
import type { Source, SourceObserver, StreamInfo } from '../../src/core/component.ts';
import { FramewireError } from '../../src/core/errors.ts';
import type { Frame } from '../../src/core/frame.ts';
import type { FramePool } from '../../src/core/frame-pool.ts';
import type { SchedulerLike } from 'rxjs';

export interface PacedSourceOptions {
  readonly scheduler: SchedulerLike;
  readonly count: number;
  readonly period: number;
  readonly pool: FramePool;
  /** Emit packets (no pixels, `meta.packet`) instead of 2×2 pictures. */
  readonly packets?: boolean;
  /** open() waits until stop() and then rejects, like a camera that never answers. */
  readonly neverConnects?: boolean;
  /** Runs as each frame arrives, before it is emitted (or held back for lack of demand). */
  readonly onArrival?: (seq: number) => void;
}

export class PacedSource implements Source {
  readonly live = true;
  /** Frames that arrived and wait for demand (a paused producer). */
  #waiting = 0;
  #demand = 0;
  #next = 0;
  #observer: SourceObserver | undefined;
  #stopped = false;
  #done = false;
  #rejectOpen: ((err: Error) => void) | undefined;
  closed = false;
  /** The most demand this source was ever owed at once. */
  peakDemand = 0;

  constructor(private readonly opts: PacedSourceOptions) {}

  open(): Promise<StreamInfo> {
    const info: StreamInfo = {
      width: 2,
      height: 2,
      format: 'yuv420p',
      fps: 1000 / this.opts.period,
      frames: undefined,
      emits: this.opts.packets ? 'packets' : 'frames',
    };
    if (!this.opts.neverConnects) return Promise.resolve(info);
    return new Promise((_, reject) => {
      this.#rejectOpen = reject;
    });
  }

  start(observer: SourceObserver): void {
    this.#observer = observer;
    const { scheduler, count, period } = this.opts;
    for (let k = 0; k < count; k++) {
      scheduler.schedule(() => {
        if (this.#stopped) return;
        this.opts.onArrival?.(k);
        this.#waiting++;
        this.#emit();
      }, k * period);
    }
  }

  request(n: number): void {
    this.#demand += n;
    if (this.#demand > this.peakDemand) this.peakDemand = this.#demand;
    this.#emit();
  }

  stop(): void {
    this.#stopped = true;
    this.#rejectOpen?.(new FramewireError('SOURCE_OPEN', 'stopped before the camera connected'));
    this.#finish();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  dropped(): number {
    return 0;
  }

  #emit(): void {
    while (this.#waiting > 0 && this.#demand > 0 && !this.#done) {
      this.#waiting--;
      this.#demand--;
      const seq = this.#next++;
      this.#observer!.next(this.#frame(seq));
      if (seq === this.opts.count - 1) this.#finish();
    }
  }

  #finish(): void {
    if (this.#done || !this.#observer) return;
    this.#done = true;
    this.#observer.complete();
  }

  #frame(seq: number): Frame {
    const { scheduler, period, pool, packets } = this.opts;
    const pts = seq * period * 1000;
    return {
      seq,
      pts,
      time: scheduler.now(),
      width: 2,
      height: 2,
      format: 'yuv420p',
      data: packets ? new Uint8Array(0) : pool.acquire(6).fill(seq & 0xff),
      sourceId: 'paced',
      meta: {
        timings: {},
        capturedAt: scheduler.now(),
        ...(packets
          ? {
              packet: {
                data: new Uint8Array([seq & 0xff]),
                key: seq % 30 === 0,
                pts,
                dts: pts,
                codec: 'avc1.42001f',
              },
            }
          : {}),
      },
    };
  }
}
