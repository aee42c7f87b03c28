import { DropQueue } from './drop-queue.ts';

/** A consumer queue never blocks: one slow client must not hold back the others. */
export type ConsumerDropPolicy = 'drop-oldest' | 'drop-newest';

export interface ConsumerQueueOptions<T> {
  /** Items held at most; the next offer when full drops one by `policy`. */
  readonly capacity: number;
  /** `drop-oldest` (default) keeps the freshest items, what a live viewer wants. */
  readonly policy?: ConsumerDropPolicy;
  /**
   * Called once for every item the queue lets go without handing it out:
   * dropped by policy, or still queued at `close()`. Release retained frames here.
   */
  readonly release: (item: T) => void;
}

/**
 * One consumer's bounded queue for a sink that serves many (WebSocket clients,
 * RTSP viewers): the sink offers every frame to each client's queue and each
 * client's sender takes from its own at its own pace. A full queue drops by
 * policy and counts it; whatever is dropped is released, never leaked.
 */
export class ConsumerQueue<T> {
  readonly #queue: DropQueue<T>;
  readonly #release: (item: T) => void;
  #waiter: ((item: T | undefined) => void) | undefined;
  #closed = false;

  constructor(opts: ConsumerQueueOptions<T>) {
    this.#queue = new DropQueue(opts.capacity, opts.policy ?? 'drop-oldest');
    this.#release = opts.release;
  }

  /** Queues `item`; true when it was queued, false when it was dropped (drop-newest, or closed). */
  offer(item: T): boolean {
    if (this.#closed) {
      this.#release(item);
      return false;
    }
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter(item);
      return true;
    }
    const result = this.#queue.offer(item);
    if (result.dropped !== undefined) this.#release(result.dropped);
    return result.accepted;
  }

  /** The oldest queued item, if any. */
  take(): T | undefined {
    return this.#queue.take();
  }

  /** The next item, waiting for one if the queue is empty; undefined once closed. One waiter at a time. */
  next(): Promise<T | undefined> {
    const item = this.#queue.take();
    if (item !== undefined || this.#closed) return Promise.resolve(item);
    if (this.#waiter) throw new Error('ConsumerQueue.next() is already waiting');
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** The consumer is gone: releases what is queued; later offers are released at once. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const item of this.#queue.clear()) this.#release(item);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(undefined);
  }

  get length(): number {
    return this.#queue.length;
  }

  /** Items dropped by policy since creation (not those released at close). */
  get dropped(): number {
    return this.#queue.dropped;
  }

  get closed(): boolean {
    return this.#closed;
  }
}
