import type { Clock } from '../core/clock.ts';
import type { Source, SourceObserver, StreamInfo } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';

export interface GuardedConnectionOptions {
  /** Seconds `open()` may take (ffmpeg opens the input and delivers the first frame). */
  readonly openSeconds: number;
  readonly clock: Clock;
  /** What is being opened, for the timeout message ("camera /dev/video0"); no credentials. */
  readonly describe: string;
  /** Turns the reader's open failure into the message this kind of input deserves. */
  readonly mapOpenError?: (err: unknown) => unknown | Promise<unknown>;
  /**
   * Replace each frame's pts by its arrival time (µs since the first frame,
   * strictly increasing), for inputs without timestamps of their own (MJPEG
   * over HTTP, where ffmpeg would count frames at a guessed 25 fps).
   */
  readonly stampArrival?: boolean;
}

/**
 * One connection of a live source (an ffmpeg process reading a device or a
 * URL), with the two things a reader of files does not need: an open that
 * cannot hang (a device that opens but never delivers, a server that accepts
 * and never answers), and open errors phrased for the input at hand.
 */
export class GuardedConnection implements Source {
  readonly live = true;

  constructor(
    private readonly inner: Source,
    private readonly opts: GuardedConnectionOptions,
  ) {}

  open(): Promise<StreamInfo> {
    return new Promise<StreamInfo>((resolve, reject) => {
      let settled = false;
      const timer = this.opts.clock.scheduler.schedule(() => {
        if (settled) return;
        settled = true;
        this.inner.stop();
        reject(
          new FramewireError(
            'SOURCE_OPEN',
            `${this.opts.describe} gave no video within ${this.opts.openSeconds} s`,
            {
              hint: 'check that it is on and streaming; raise connectTimeout if it is slow to start',
            },
          ),
        );
      }, this.opts.openSeconds * 1000);
      this.inner.open().then(
        (info) => {
          if (settled) return;
          settled = true;
          timer.unsubscribe();
          resolve(info);
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          timer.unsubscribe();
          const map = this.opts.mapOpenError;
          if (!map) reject(err);
          else Promise.resolve(map(err)).then(reject, reject);
        },
      );
    });
  }

  start(observer: SourceObserver): void {
    if (!this.opts.stampArrival) {
      this.inner.start(observer);
      return;
    }
    let first: number | undefined;
    let last = -1;
    this.inner.start({
      next: (frame) => {
        const now = this.opts.clock.now();
        first ??= now;
        last = Math.max(last + 1, Math.round((now - first) * 1000));
        observer.next({ ...frame, pts: last });
      },
      error: (err) => observer.error(err),
      complete: () => observer.complete(),
    });
  }

  request(n: number): void {
    this.inner.request(n);
  }

  stop(): void {
    this.inner.stop();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  dropped(): number {
    return this.inner.dropped();
  }
}
