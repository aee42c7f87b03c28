import type { Source, SourceObserver, StreamInfo } from './component.ts';
import { DropQueue, type DropPolicy } from './drop-queue.ts';
import type { Frame } from './frame.ts';
import type { FramePool } from './frame-pool.ts';

/**
 * Turns a producer that runs at its own rate (a camera, an RTSP stream, a paced
 * test pattern) into a demand-driven source that never falls behind: it keeps
 * draining the producer, holds at most `queue` frames, and drops by policy.
 * With `block` (for tests) it stops draining instead, so the producer is paused.
 */
export class LiveSource implements Source {
  readonly live = true;
  readonly #queue: DropQueue<Frame>;
  #demand = 0;
  #observer: SourceObserver | undefined;
  #producerDone = false;
  #producerError: Error | undefined;
  #finished = false;
  #emitting = false;

  constructor(
    private readonly producer: Source,
    capacity: number,
    readonly policy: DropPolicy,
    private readonly pool: FramePool,
  ) {
    this.#queue = new DropQueue(capacity, policy);
  }

  open(): Promise<StreamInfo> {
    return this.producer.open();
  }

  start(observer: SourceObserver): void {
    this.#observer = observer;
    this.producer.start({
      next: (frame) => this.#push(frame),
      error: (err) => {
        this.#producerError = err;
        this.#producerDone = true;
        this.#drain();
      },
      complete: () => {
        this.#producerDone = true;
        this.#drain();
      },
    });
    // Drop policies drain the producer at its own rate; block pulls only what fits.
    this.producer.request(
      this.policy === 'block' ? this.#queue.capacity : Number.POSITIVE_INFINITY,
    );
  }

  request(n: number): void {
    this.#demand += n;
    this.#drain();
  }

  stop(): void {
    this.producer.stop();
  }

  async close(): Promise<void> {
    for (const frame of this.#queue.clear()) this.#release(frame);
    await this.producer.close();
  }

  dropped(): number {
    return this.#queue.dropped + this.producer.dropped();
  }

  /** Frames waiting in the queue now. */
  get queued(): number {
    return this.#queue.length;
  }

  #push(frame: Frame): void {
    const result = this.#queue.offer(frame);
    if (result.dropped) this.#release(result.dropped);
    this.#drain();
  }

  #drain(): void {
    if (this.#emitting || !this.#observer || this.#finished) return;
    this.#emitting = true;
    try {
      while (this.#demand > 0 && this.#queue.length > 0) {
        this.#demand--;
        this.#observer.next(this.#queue.take()!);
        if (this.policy === 'block' && !this.#producerDone) this.producer.request(1);
      }
    } finally {
      this.#emitting = false;
    }
    if (this.#producerDone && this.#queue.length === 0) {
      this.#finished = true;
      if (this.#producerError) this.#observer.error(this.#producerError);
      else this.#observer.complete();
    }
  }

  #release(frame: Frame): void {
    if (frame.data.byteLength > 0) this.pool.release(frame.data);
  }
}
