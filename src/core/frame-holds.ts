import type { Frame } from './frame.ts';

/**
 * Who still holds each frame in the pipeline's sinks, so its pixel buffer goes
 * back to the pool exactly once, when the last holder lets go. Every sink holds
 * a frame from fan-out until its write settles; a sink that sends frames
 * asynchronously adds holds with `retain` and ends each with its release.
 * Frames are known by `seq`: stages may replace a frame object, never its seq.
 */
export class FrameHolds {
  readonly #holders = new Map<number, number>();

  constructor(
    /** Called once per frame when nobody holds it any more. */
    private readonly free: (frame: Frame) => void,
  ) {}

  /** A frame entered the pipeline and will be held by `n` sinks. */
  enter(seq: number, n: number): void {
    this.#holders.set(seq, n);
  }

  /** A stage dropped the frame (and released its buffer itself): nobody holds it. */
  forget(seq: number): void {
    this.#holders.delete(seq);
  }

  /** The frame was dropped before any sink got it (a live queue, a late frame): its buffer goes back now. */
  drop(frame: Frame): void {
    this.#holders.delete(frame.seq);
    this.free(frame);
  }

  /** One holder is done with `frame`. */
  done(frame: Frame): void {
    const left = (this.#holders.get(frame.seq) ?? 1) - 1;
    if (left > 0) {
      this.#holders.set(frame.seq, left);
      return;
    }
    this.#holders.delete(frame.seq);
    this.free(frame);
  }

  /**
   * Adds a holder. The release it returns ends that hold once; calling it again
   * does nothing but call `onDoubleRelease` (returning a buffer twice would hand
   * it to two frames at once). Undefined when nobody holds the frame any more:
   * its buffer may already belong to another frame.
   */
  retain(frame: Frame, onDoubleRelease: () => void): (() => void) | undefined {
    const holders = this.#holders.get(frame.seq);
    if (holders === undefined) return undefined;
    this.#holders.set(frame.seq, holders + 1);
    let released = false;
    return () => {
      if (released) {
        onDoubleRelease();
        return;
      }
      released = true;
      this.done(frame);
    };
  }

  /** Frames someone still holds. */
  get size(): number {
    return this.#holders.size;
  }
}
