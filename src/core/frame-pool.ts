/**
 * Reuses pixel buffers so steady-state processing allocates nothing per frame.
 * Buffers are pooled by byte length; the pool keeps at most `maxIdle` idle
 * buffers per length so a change of resolution cannot pin memory forever.
 */
export class FramePool {
  readonly #idle = new Map<number, Uint8Array[]>();
  #allocated = 0;
  #outstanding = 0;

  constructor(readonly maxIdle = 16) {}

  acquire(byteLength: number): Uint8Array {
    this.#outstanding++;
    const buf = this.#idle.get(byteLength)?.pop();
    if (buf) return buf;
    this.#allocated++;
    return new Uint8Array(byteLength);
  }

  release(buf: Uint8Array): void {
    this.#outstanding--;
    let list = this.#idle.get(buf.byteLength);
    if (!list) {
      list = [];
      this.#idle.set(buf.byteLength, list);
    }
    if (list.length < this.maxIdle) list.push(buf);
  }

  /** Buffers ever allocated: stays flat in steady state; tests assert it does. */
  get allocated(): number {
    return this.#allocated;
  }

  /** Buffers acquired and not yet released: a leak shows here at the end of a run. */
  get outstanding(): number {
    return this.#outstanding;
  }
}
