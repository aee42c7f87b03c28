import { Observable } from 'rxjs';
import { DropQueue, type DropPolicy } from './drop-queue.ts';
import type { Frame } from './frame.ts';

/** How a live source's frames wait for the pipeline (its `queue`, `dropPolicy`, `maxLatencyMs`). */
export interface LiveQueueConfig {
  readonly capacity: number;
  readonly policy: DropPolicy;
  /** Frames older than this (now − capturedAt) when they would leave the queue are dropped. */
  readonly maxLatencyMs?: number;
}

export interface LiveBoundaryHooks {
  /** Monotonic ms, the run's clock. */
  now(): number;
  /** A frame left the queue into the pipeline after waiting `waitMs`. */
  taken(frame: Frame, waitMs: number): void;
  /** A frame was dropped here (by policy, or late); the owner releases it and counts it. */
  discarded(frame: Frame, why: 'policy' | 'late'): void;
}

interface Waiting {
  readonly frame: Frame;
  readonly at: number;
}

/**
 * Where a live source's camera-rate stream meets the pipeline's demand. Upstream
 * of it (the source and the decoder of a packet stream) runs at the camera's
 * rate; it holds at most `capacity` frames and hands them on only against
 * `request`, dropping by policy when the pipeline is behind, so the pipeline
 * never falls behind the camera. Packets are never dropped here: the boundary
 * sits after the decoder, since losing one P-frame would corrupt the pictures
 * after it. With `block` (for tests) nothing is dropped: the owner must limit
 * what upstream produces to what fits (see `room`).
 */
export class LiveBoundary {
  readonly #queue: DropQueue<Waiting>;
  /** Block only: frames past the bound (a decoder emitting more than expected), never lost. */
  readonly #overflow: Waiting[] = [];
  #demand = 0;
  #emit: ((frame: Frame) => void) | undefined;
  #upstreamDone = false;
  #upstreamError: Error | undefined;
  #finish: (() => void) | undefined;
  #draining = false;
  #dropped = 0;
  #late = 0;

  constructor(
    readonly config: LiveQueueConfig,
    private readonly hooks: LiveBoundaryHooks,
  ) {
    this.#queue = new DropQueue(config.capacity, config.policy);
  }

  /** The stream past the boundary: `input$`'s frames, paced by `request`. */
  attach(input$: Observable<Frame>): Observable<Frame> {
    return new Observable<Frame>((out) => {
      this.#emit = (frame) => out.next(frame);
      this.#finish = () => {
        if (this.#upstreamError) out.error(this.#upstreamError);
        else out.complete();
      };
      const sub = input$.subscribe({
        next: (frame) => this.#offer(frame),
        error: (err: unknown) => {
          // A fatal failure ends the run at once; what waits here is released by clear().
          this.#upstreamError = err instanceof Error ? err : new Error(String(err));
          this.#upstreamDone = true;
          out.error(this.#upstreamError);
        },
        complete: () => {
          this.#upstreamDone = true;
          this.#drain();
        },
      });
      this.#drain();
      return () => {
        sub.unsubscribe();
        this.#emit = undefined;
      };
    });
  }

  /** Allow `n` more frames past the boundary. */
  request(n: number): void {
    this.#demand += n;
    this.#drain();
  }

  /** Frames waiting here now. */
  get queued(): number {
    return this.#queue.length + this.#overflow.length;
  }

  /** Frames dropped by policy so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Frames dropped because they were older than `maxLatencyMs`. */
  get late(): number {
    return this.#late;
  }

  /** Empties the queue (shutdown); the caller releases what it gets back. */
  clear(): Frame[] {
    return [...this.#queue.clear(), ...this.#overflow.splice(0)].map((w) => w.frame);
  }

  #offer(frame: Frame): void {
    const waiting = { frame, at: this.hooks.now() };
    const result = this.#queue.offer(waiting);
    if (result.dropped) {
      this.#dropped++;
      this.hooks.discarded(result.dropped.frame, 'policy');
    } else if (!result.accepted) {
      this.#overflow.push(waiting);
    }
    this.#drain();
  }

  #take(): Waiting | undefined {
    const next = this.#queue.take();
    const moved = this.#overflow.shift();
    if (moved) this.#queue.offer(moved);
    return next;
  }

  #drain(): void {
    if (this.#draining || !this.#emit) return;
    this.#draining = true;
    try {
      while (this.#demand > 0 && this.#emit) {
        const next = this.#take();
        if (!next) break;
        const now = this.hooks.now();
        const budget = this.config.maxLatencyMs;
        const capturedAt = next.frame.meta.capturedAt ?? next.at;
        if (budget !== undefined && now - capturedAt > budget) {
          this.#late++;
          this.hooks.discarded(next.frame, 'late');
          continue;
        }
        this.#demand--;
        this.hooks.taken(next.frame, now - next.at);
        this.#emit(next.frame);
      }
    } finally {
      this.#draining = false;
    }
    if (this.#upstreamDone && !this.#upstreamError && this.queued === 0 && this.#finish) {
      const finish = this.#finish;
      this.#finish = undefined;
      finish();
    }
  }
}
