import type { Subscription } from 'rxjs';
import { Backoff, type BackoffConfig } from './backoff.ts';
import type { Clock } from './clock.ts';
import type { Source, SourceObserver, StreamInfo } from './component.ts';
import { FramewireError } from './errors.ts';
import type { EventCode } from './events.ts';
import type { Frame } from './frame.ts';
import type { HealthEvent } from './health.ts';

export interface ReconnectingSourceOptions {
  /**
   * One connection attempt: a fresh Source that reads the device or URL once
   * (usually an ffmpeg process). Its complete() or error() means the
   * connection was lost; `attempt` counts every connection made, from 1.
   */
  readonly connect: (attempt: number) => Source;
  readonly backoff: BackoffConfig;
  /** No frame for this many seconds: report `stalled`, drop the connection, reconnect. */
  readonly stallSeconds: number;
  /**
   * Whether a first connection that fails is retried (rtsp, http: a camera that
   * is down at start is waited for) or rejects `open()` (camera: a missing or
   * busy device is a mistake to report at once; later losses are retried).
   */
  readonly retryFirstOpen: boolean;
  /** How to name the input in health details and messages; already redacted. */
  readonly describe: string;
  readonly clock: Clock;
  /** Publishes health events (`ctx.health`). */
  readonly health: (event: HealthEvent) => void;
  /** Counts CONNECTION_LOST and RECONNECT (`ctx.count`). */
  readonly count: (code: EventCode, n?: number) => void;
  /** The jitter's random numbers in [0, 1), for tests. */
  readonly random?: () => number;
  /** Returns a frame's buffer to the pool: for frames a dropped connection still delivers. */
  readonly release?: (frame: Frame) => void;
}

/** What the stream looked like at the last frame passed on. */
interface Continuity {
  /**
   * The largest pts passed on: packets come in decode order, so with B-frames
   * the last one's pts is not the latest picture's.
   */
  readonly pts: number;
  /** Monotonic ms when it arrived. */
  readonly at: number;
}

/**
 * A live input that never ends by itself: each connection is a Source made by
 * `connect`, and when one ends, fails or stalls, the next is made after an
 * exponential backoff with full jitter, on the clock's scheduler (so tests run
 * in virtual time). Downstream sees one stream: seq is gapless, pts keeps
 * increasing across connections (the first frame after a reconnect continues
 * at the last pts plus the real length of the gap, and carries
 * `meta.discontinuity`), and only `stop()` ends it. Health events tell what
 * happens: connecting, connected, stalled, reconnecting (attempt, delay),
 * failed (when `maxAttempts` failures in a row are used up, which ends the run).
 */
export class ReconnectingSource implements Source {
  readonly live = true;
  readonly #backoff: Backoff;
  readonly #stallMs: number;
  #connection: Source | undefined;
  /** A reconnection attempt still opening. */
  #pending: Source | undefined;
  #observer: SourceObserver | undefined;
  #demand = 0;
  #attempts = 0;
  #seq = 0;
  #info: StreamInfo | undefined;
  #last: Continuity | undefined;
  /** Added to the current connection's pts; fixed at its first frame. */
  #ptsShift: number | undefined;
  /** Whether the next frame follows a lost connection. */
  #afterGap = false;
  /** Connection attempts that failed in a row (reset by a delivered frame). */
  #failures = 0;
  #lastFrameAt = 0;
  #droppedByClosed = 0;
  #stopped = false;
  #finished = false;
  #timer: Subscription | undefined;
  #watchdog: Subscription | undefined;
  /** Interrupts a backoff wait or a pending connection of `open()` on stop. */
  #abortOpen: (() => void) | undefined;

  constructor(private readonly opts: ReconnectingSourceOptions) {
    this.#backoff = new Backoff(opts.backoff, opts.random);
    this.#stallMs = opts.stallSeconds * 1000;
  }

  async open(): Promise<StreamInfo> {
    for (;;) {
      const connection = this.#makeConnection();
      try {
        const info = await this.#untilStopped(connection.open(), () => void connection.close());
        this.#connected(connection, info);
        return info;
      } catch (err) {
        await connection.close();
        if (this.#stopped) throw this.#stoppedBeforeConnecting();
        const reason = asError(err);
        if (!this.opts.retryFirstOpen) throw reason;
        if (this.#failedAgain()) throw this.#giveUp(reason);
        const delayMs = this.#announceRetry(reason);
        await this.#untilStopped(this.#sleep(delayMs), () => this.#timer?.unsubscribe());
      }
    }
  }

  start(observer: SourceObserver): void {
    this.#observer = observer;
    if (this.#stopped) this.#finish();
    else if (this.#connection) this.#attach(this.#connection);
  }

  request(n: number): void {
    this.#demand += n;
    this.#connection?.request(n);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#timer?.unsubscribe();
    this.#watchdog?.unsubscribe();
    this.#abortOpen?.();
    void this.#pending?.close();
    // A live connection completes once stopped; between connections nothing will.
    if (this.#connection) this.#connection.stop();
    else this.#finish();
  }

  async close(): Promise<void> {
    this.#timer?.unsubscribe();
    this.#watchdog?.unsubscribe();
    const connection = this.#connection;
    const pending = this.#pending;
    this.#connection = undefined;
    this.#pending = undefined;
    await Promise.all([connection?.close(), pending?.close()]);
  }

  dropped(): number {
    return this.#droppedByClosed + (this.#connection?.dropped() ?? 0);
  }

  /** The stream facts of the first connection (later ones may differ: frames carry their own size). */
  get info(): StreamInfo | undefined {
    return this.#info;
  }

  #makeConnection(): Source {
    this.#attempts++;
    this.opts.health({ state: 'connecting', detail: this.opts.describe });
    return this.opts.connect(this.#attempts);
  }

  #connected(connection: Source, info: StreamInfo): void {
    this.#connection = connection;
    this.#info ??= info;
    this.#ptsShift = undefined;
    this.opts.health({ state: 'connected', detail: describeStream(this.opts.describe, info) });
  }

  #attach(connection: Source): void {
    connection.start({
      next: (frame) => this.#onFrame(connection, frame),
      error: (err) => this.#onLost(connection, asError(err)),
      complete: () => this.#onLost(connection, undefined),
    });
    if (this.#demand > 0) connection.request(this.#demand);
    // The watchdog counts from here: before start (stages still loading) no frame is due.
    this.#lastFrameAt = this.opts.clock.now();
    this.#armWatchdog();
  }

  #onFrame(connection: Source, frame: Frame): void {
    if (connection !== this.#connection || this.#finished) {
      this.opts.release?.(frame);
      return;
    }
    const now = this.opts.clock.now();
    this.#lastFrameAt = now;
    this.#demand = Math.max(0, this.#demand - 1);
    this.#backoff.reset();
    this.#failures = 0;
    this.#ptsShift ??= this.#shiftFor(frame.pts, now);
    const shift = this.#ptsShift;
    const packet = frame.meta.packet;
    const discontinuity = this.#afterGap;
    this.#afterGap = false;
    const out: Frame = {
      ...frame,
      seq: this.#seq++,
      pts: frame.pts + shift,
      meta: {
        ...frame.meta,
        capturedAt: frame.meta.capturedAt ?? now,
        ...(packet && shift !== 0
          ? { packet: { ...packet, pts: packet.pts + shift, dts: packet.dts + shift } }
          : {}),
        ...(discontinuity ? { discontinuity: true as const } : {}),
      },
    };
    this.#last = { pts: Math.max(out.pts, this.#last?.pts ?? out.pts), at: now };
    this.#observer?.next(out);
  }

  /**
   * The pts shift of a new connection: its first frame continues at the last
   * pts plus the real time that passed (at least one frame interval), so a
   * player shows the outage as the pause it was.
   */
  #shiftFor(firstPts: number, now: number): number {
    const last = this.#last;
    if (!last) return 0;
    const frameUs = 1e6 / (this.#info?.fps ?? 25);
    const gapUs = Math.max(frameUs, (now - last.at) * 1000);
    return Math.round(last.pts + gapUs - firstPts);
  }

  #onLost(connection: Source, err: Error | undefined): void {
    if (connection !== this.#connection) return;
    this.#watchdog?.unsubscribe();
    this.#connection = undefined;
    this.#droppedByClosed += connection.dropped();
    void connection.close();
    if (this.#stopped) {
      this.#finish();
      return;
    }
    this.opts.count('CONNECTION_LOST');
    this.#afterGap = this.#last !== undefined;
    // A lost connection is not a failed attempt: the attempts to reconnect are.
    this.#retry(err ?? new FramewireError('CONNECTION_LOST', `${this.opts.describe} ended`), false);
  }

  /**
   * After a lost connection or a failed attempt: wait the backoff, then connect
   * again — unless this failure is the `maxAttempts`th in a row.
   */
  #retry(reason: Error, failedAttempt: boolean): void {
    if (failedAttempt && this.#failedAgain()) {
      this.#observer?.error(this.#giveUp(reason));
      this.#finished = true;
      return;
    }
    const delayMs = this.#announceRetry(reason);
    this.#timer = this.opts.clock.scheduler.schedule(() => this.#reconnect(), delayMs);
  }

  #reconnect(): void {
    if (this.#stopped) return;
    const connection = this.#makeConnection();
    this.#pending = connection;
    connection.open().then(
      (info) => {
        this.#pending = undefined;
        if (this.#stopped) {
          void connection.close();
          this.#finish();
          return;
        }
        this.#connected(connection, info);
        this.opts.count('RECONNECT');
        if (this.#observer) this.#attach(connection);
      },
      (err: unknown) => {
        this.#pending = undefined;
        void connection.close();
        if (this.#stopped) this.#finish();
        else this.#retry(asError(err), true);
      },
    );
  }

  /** Counts one failure, says when the next attempt comes, and returns its delay. */
  #announceRetry(reason: Error): number {
    const { attempt, delayMs } = this.#backoff.next();
    this.opts.health({ state: 'reconnecting', attempt, delayMs, detail: reason.message });
    return delayMs;
  }

  /** Counts a failed connection attempt; whether `maxAttempts` of them in a row are used up. */
  #failedAgain(): boolean {
    this.#failures++;
    const max = this.opts.backoff.maxAttempts;
    return max !== undefined && this.#failures >= max;
  }

  #giveUp(reason: Error): FramewireError {
    const attempts = this.#failures;
    this.opts.health({ state: 'failed', attempt: attempts, detail: reason.message });
    return new FramewireError(
      'SOURCE_OPEN',
      `${this.opts.describe}: gave up after ${attempts} failed attempt${attempts === 1 ? '' : 's'}: ${reason.message}`,
      {
        // The failure's own advice (a 401: check the password) is the useful one.
        hint: `${reason instanceof FramewireError && reason.hint ? reason.hint : 'check that the device or server is up and reachable'}; maxAttempts bounds the retries (absent: retry forever)`,
        cause: reason,
      },
    );
  }

  /** The stall watchdog: checks when the last frame would be `stallSeconds` old. */
  #armWatchdog(): void {
    this.#watchdog?.unsubscribe();
    const check = () => {
      const connection = this.#connection;
      if (!connection || this.#stopped) return;
      const idle = this.opts.clock.now() - this.#lastFrameAt;
      if (idle < this.#stallMs) {
        this.#watchdog = this.opts.clock.scheduler.schedule(check, this.#stallMs - idle);
        return;
      }
      const seconds = this.#stallMs / 1000;
      this.opts.health({ state: 'stalled', detail: `no frame for ${seconds} s` });
      connection.stop();
      this.#onLost(
        connection,
        new FramewireError('CONNECTION_LOST', `${this.opts.describe}: no frame for ${seconds} s`),
      );
    };
    this.#watchdog = this.opts.clock.scheduler.schedule(check, this.#stallMs);
  }

  #finish(): void {
    if (this.#finished || !this.#observer) return;
    this.#finished = true;
    this.#observer.complete();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#timer = this.opts.clock.scheduler.schedule(() => resolve(), ms);
    });
  }

  /** Waits for `work` unless stop() comes first; then `cancel` runs and the wait rejects. */
  #untilStopped<T>(work: Promise<T>, cancel: () => void): Promise<T> {
    if (this.#stopped) {
      cancel();
      return Promise.reject(this.#stoppedBeforeConnecting());
    }
    return new Promise<T>((resolve, reject) => {
      this.#abortOpen = () => {
        cancel();
        reject(this.#stoppedBeforeConnecting());
      };
      work.then(resolve, reject).finally(() => {
        this.#abortOpen = undefined;
      });
    });
  }

  #stoppedBeforeConnecting(): FramewireError {
    return new FramewireError('SOURCE_OPEN', `stopped before ${this.opts.describe} connected`);
  }
}

function describeStream(describe: string, info: StreamInfo): string {
  const fps = info.fps !== undefined ? ` at ${Math.round(info.fps * 100) / 100} fps` : '';
  return `${describe}: ${info.width}x${info.height}${fps}`;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
