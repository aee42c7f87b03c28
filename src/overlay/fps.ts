/**
 * Frames per second as this stage observes them: frames completed over a
 * sliding window of `windowMs`, from timestamps of an injected monotonic clock
 * (`ctx.clock.now`), so tests can drive it with a fake clock.
 */
export class FpsMeter {
  readonly #times: Float64Array;
  #head = 0;
  #count = 0;

  constructor(
    readonly windowMs = 1000,
    capacity = 256,
  ) {
    this.#times = new Float64Array(capacity);
  }

  /** Records one frame at monotonic time `now` (ms). */
  tick(now: number): void {
    this.#times[this.#head] = now;
    this.#head = (this.#head + 1) % this.#times.length;
    if (this.#count < this.#times.length) this.#count++;
  }

  /**
   * The rate over the window ending at the last frame: (frames − 1) divided by
   * the time between the first and last frame inside the window. Undefined
   * until two frames are in the window.
   */
  fps(): number | undefined {
    const n = this.#times.length;
    const last = this.#times[(this.#head - 1 + n) % n]!;
    let first = last;
    let frames = 0;
    for (let k = 0; k < this.#count; k++) {
      const t = this.#times[(this.#head - 1 - k + 2 * n) % n]!;
      if (last - t > this.windowMs) break;
      first = t;
      frames++;
    }
    if (frames < 2 || last <= first) return undefined;
    return ((frames - 1) * 1000) / (last - first);
  }
}
