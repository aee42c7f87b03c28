import type { Clock } from './clock.ts';
import type { Sink } from './component.ts';
import { DropQueue, type DropPolicy } from './drop-queue.ts';
import { FramewireError } from './errors.ts';
import type { Frame } from './frame.ts';
import type { Meter } from './meter.ts';

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

  constructor(
    readonly name: string,
    private readonly sink: Sink,
    capacity: number,
    readonly policy: DropPolicy,
    private readonly meter: Meter,
    private readonly clock: Clock,
    /** Called once per frame when this sink is done with it (written or dropped). */
    private readonly done: (frame: Frame) => void,
    private readonly fail: (err: Error) => void,
  ) {
    this.#queue = new DropQueue(capacity, policy);
  }

  offer(frame: Frame, accepted: () => void): void {
    this.meter.frameIn();
    const item = { frame, queuedAt: this.clock.now() };
    if (this.#failed) {
      this.done(frame);
      accepted();
      return;
    }
    const result = this.#queue.offer(item);
    if (result.dropped) {
      this.meter.drop();
      this.done(result.dropped.frame);
    }
    if (result.accepted || result.dropped) accepted();
    else this.#pending.push({ item, accepted });
    void this.#pump();
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
    await this.sink.close();
  }

  #idle(): boolean {
    return !this.#writing && this.#queue.length === 0 && this.#pending.length === 0;
  }

  async #pump(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      for (let next = this.#queue.take(); next; next = this.#queue.take()) {
        const waiting = this.#pending.shift();
        if (waiting) {
          this.#queue.offer(waiting.item);
          waiting.accepted();
        }
        const startedAt = this.clock.now();
        try {
          if (!this.#failed) await this.sink.write(next.frame);
          this.meter.frameOut(this.clock.now() - startedAt, startedAt - next.queuedAt);
        } catch (err) {
          this.#failed = wrapSinkError(err, this.name);
          this.fail(this.#failed);
        } finally {
          this.done(next.frame);
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

function wrapSinkError(err: unknown, name: string): Error {
  if (err instanceof FramewireError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FramewireError('SINK_WRITE', `write failed: ${message}`, {
    component: name,
    cause: err,
  });
}
