import { Observable, type OperatorFunction } from 'rxjs';
import type { Frame } from './frame.ts';

/**
 * Frames a stage with a latency budget is given at once: one at work and one
 * prepared (detect preprocesses the next frame while one is inferred).
 */
export const GATE_WINDOW = 2;

export interface LatencyGateHooks {
  /** Monotonic ms, the run's clock. */
  now(): number;
  /** A frame too old for the budget: the owner counts, releases and retires it. */
  late(frame: Frame): void;
}

/**
 * Holds frames in front of a stage that has `maxLatencyMs` until the stage is
 * about to work on them, and checks their age then: an RxJS stage takes every
 * frame at once and queues it inside, where a check at its entry would be
 * made long before the work. The owner reports each frame that leaves the
 * stage (emitted or lost) with `left`, which lets the next one in.
 */
export class LatencyGate {
  readonly #held: { frame: Frame; at: number }[] = [];
  readonly #arrivedAt = new Map<number, number>();
  #inside = 0;
  #emit: ((frame: Frame) => void) | undefined;
  #complete: (() => void) | undefined;
  #upstreamDone = false;
  #releasing = false;

  constructor(
    readonly budget: number,
    private readonly hooks: LatencyGateHooks,
  ) {}

  readonly operator: OperatorFunction<Frame, Frame> = (input$) =>
    new Observable<Frame>((out) => {
      this.#emit = (frame) => out.next(frame);
      this.#complete = () => out.complete();
      const sub = input$.subscribe({
        next: (frame) => {
          this.#held.push({ frame, at: this.hooks.now() });
          this.#release();
        },
        error: (err: unknown) => out.error(err),
        complete: () => {
          this.#upstreamDone = true;
          this.#release();
        },
      });
      return () => {
        sub.unsubscribe();
        this.#emit = undefined;
      };
    });

  /** When `seq` reached the gate (for its queue wait), once. */
  arrivedAt(seq: number): number | undefined {
    const at = this.#arrivedAt.get(seq);
    this.#arrivedAt.delete(seq);
    return at;
  }

  /** `n` frames left the stage (emitted, or lost inside it). */
  left(n = 1): void {
    this.#inside = Math.max(0, this.#inside - n);
    this.#release();
  }

  /** Frames held in front of the stage now. */
  get held(): number {
    return this.#held.length;
  }

  #release(): void {
    if (this.#releasing || !this.#emit) return;
    this.#releasing = true;
    try {
      while (this.#inside < GATE_WINDOW && this.#held.length > 0 && this.#emit) {
        const { frame, at } = this.#held.shift()!;
        const now = this.hooks.now();
        if (now - (frame.meta.capturedAt ?? at) > this.budget) {
          this.hooks.late(frame);
          continue;
        }
        this.#inside++;
        this.#arrivedAt.set(frame.seq, at);
        this.#emit(frame);
      }
    } finally {
      this.#releasing = false;
    }
    if (this.#upstreamDone && this.#held.length === 0 && this.#complete) {
      const complete = this.#complete;
      this.#complete = undefined;
      complete();
    }
  }
}
