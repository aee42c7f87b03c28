/** What a bounded queue does when it is full. */
export type DropPolicy = 'drop-oldest' | 'drop-newest' | 'block';
export const DROP_POLICIES: readonly DropPolicy[] = ['drop-oldest', 'drop-newest', 'block'];

export type OfferResult<T> =
  /** Queued; `dropped` is the oldest entry evicted to make room (drop-oldest). */
  | { accepted: true; dropped?: T }
  /** Not queued: discarded (drop-newest) or refused because the queue is full (block). */
  | { accepted: false; dropped?: T };

/**
 * A FIFO bounded by `capacity` with a drop policy. It never grows past its bound:
 * drop-oldest evicts the head, drop-newest discards the offer, block refuses it so
 * the producer can apply backpressure. Whatever is dropped is returned to the
 * caller, who owns releasing it.
 */
export class DropQueue<T> {
  readonly #items: T[] = [];
  #dropped = 0;

  constructor(
    readonly capacity: number,
    readonly policy: DropPolicy,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
    }
  }

  offer(item: T): OfferResult<T> {
    if (this.#items.length < this.capacity) {
      this.#items.push(item);
      return { accepted: true };
    }
    switch (this.policy) {
      case 'drop-oldest': {
        const dropped = this.#items.shift()!;
        this.#items.push(item);
        this.#dropped++;
        return { accepted: true, dropped };
      }
      case 'drop-newest':
        this.#dropped++;
        return { accepted: false, dropped: item };
      case 'block':
        return { accepted: false };
    }
  }

  take(): T | undefined {
    return this.#items.shift();
  }

  /** Removes everything (shutdown); the caller releases what it gets back. */
  clear(): T[] {
    return this.#items.splice(0);
  }

  get length(): number {
    return this.#items.length;
  }

  get full(): boolean {
    return this.#items.length >= this.capacity;
  }

  /** Entries dropped by policy since creation. */
  get dropped(): number {
    return this.#dropped;
  }
}
