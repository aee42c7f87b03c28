import type { Clock } from './clock.ts';
import type { CpuAccount } from './cpu-ledger.ts';
import type { Sink, SinkHost } from './component.ts';
import { DropQueue, type DropPolicy } from './drop-queue.ts';
import { attributed, FramewireError, isRecoverable } from './errors.ts';
import type { Frame } from './frame.ts';
import type { Meter } from './meter.ts';

export interface SinkQueueOptions {
  /** The sink's meter name (`sink:file`). */
  readonly name: string;
  /** Where it sits in the pipeline, for messages (`sinks[0] (file)`). */
  readonly label: string;
  readonly sink: Sink;
  readonly capacity: number;
  readonly policy: DropPolicy;
  readonly meter: Meter;
  readonly clock: Clock;
  /** Called once per frame when this sink is done with it (written, dropped or lost). */
  readonly done: (frame: Frame) => void;
  /** Where write errors go, attributed to the sink: the runner counts or fails on them. */
  readonly report: (err: FramewireError) => void;
  /** The sink's CPU account: each write's main-thread work is charged to it. */
  readonly cpu?: CpuAccount;
}

interface Queued {
  frame: Frame;
  queuedAt: number;
}

/**
 * One sink's own bounded queue and writer loop. A frame is "accepted" once it is
 * queued (or dropped by policy); only then does the pipeline count it as out of
 * flight. With `block`, a full queue holds frames back (lossless: the pipeline
 * slows down); with `drop-*` a slow sink loses frames and counts them, but never
 * slows the pipeline or any other sink.
 */
export class SinkQueue {
  readonly #queue: DropQueue<Queued>;
  /** Frames waiting for room under the block policy, with their accept callbacks. */
  readonly #pending: { item: Queued; accepted: () => void }[] = [];
  #writing = false;
  #failed: Error | undefined;
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  readonly name: string;
  readonly policy: DropPolicy;
  readonly #opts: SinkQueueOptions;

  constructor(opts: SinkQueueOptions) {
    this.#opts = opts;
    this.name = opts.name;
    this.policy = opts.policy;
    this.#queue = new DropQueue(opts.capacity, opts.policy);
  }

  offer(frame: Frame, accepted: () => void): void {
    const { meter, clock, done } = this.#opts;
    meter.frameIn();
    const item = { frame, queuedAt: clock.now() };
    if (this.#failed) {
      done(frame);
      accepted();
      return;
    }
    const result = this.#queue.offer(item);
    if (result.dropped) {
      meter.drop();
      done(result.dropped.frame);
    }
    if (result.accepted || result.dropped) accepted();
    else this.#pending.push({ item, accepted });
    void this.#pump();
  }

  /** Frames waiting now: queued, or held back for room under `block`. */
  get depth(): number {
    return this.#queue.length + this.#pending.length;
  }

  /** Resolves when everything offered so far has been written or dropped. */
  drain(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Drains, then finalizes the sink. Runs once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.drain();
    await this.#opts.sink.close();
  }

  #idle(): boolean {
    return !this.#writing && this.#queue.length === 0 && this.#pending.length === 0;
  }

  async #pump(): Promise<void> {
    const { sink, meter, clock, done, report, label, cpu } = this.#opts;
    if (this.#writing) return;
    this.#writing = true;
    try {
      for (let next = this.#queue.take(); next; next = this.#queue.take()) {
        const waiting = this.#pending.shift();
        if (waiting) {
          this.#queue.offer(waiting.item);
          waiting.accepted();
        }
        const startedAt = clock.now();
        try {
          // After a fatal error the rest only drains: released, not written.
          if (this.#failed) continue;
          // What a viewer of this output waits: from capture to this sink taking the frame.
          const capturedAt = next.frame.meta.capturedAt;
          if (capturedAt !== undefined) meter.latency(startedAt - capturedAt);
          const frame = next.frame;
          await (cpu ? cpu.run(() => sink.write(frame)) : sink.write(frame));
          meter.frameOut(clock.now() - startedAt, startedAt - next.queuedAt);
        } catch (err) {
          const error = wrapSinkError(err, label);
          // A recoverable write error loses this frame for this sink only.
          if (isRecoverable(error)) meter.drop();
          else this.#failed = error;
          report(error);
        } finally {
          done(next.frame);
        }
      }
    } finally {
      this.#writing = false;
    }
    if (this.#idle()) {
      const waiters = this.#idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }
}

/** Opens the sink, if it has an `open`; any failure is a SINK_OPEN error naming it. */
export async function openSink(sink: Sink, host: SinkHost, label: string): Promise<void> {
  try {
    await sink.open?.(host);
  } catch (err) {
    if (err instanceof FramewireError && err.code === 'SINK_OPEN') throw attributed(err, label);
    const message = err instanceof Error ? err.message : String(err);
    throw new FramewireError('SINK_OPEN', `cannot open: ${message}`, {
      component: label,
      ...(err instanceof FramewireError && err.hint ? { hint: err.hint } : {}),
      cause: err,
    });
  }
}

function wrapSinkError(err: unknown, name: string): FramewireError {
  if (err instanceof FramewireError) return attributed(err, name);
  const message = err instanceof Error ? err.message : String(err);
  return new FramewireError('SINK_WRITE', `write failed: ${message}`, {
    component: name,
    cause: err,
  });
}
