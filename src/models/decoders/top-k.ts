/**
 * Keeps the k best (score, index) pairs seen, in a fixed-size binary min-heap: O(log k)
 * per offer, no allocation after construction. Ties prefer the lower index, so the
 * result does not depend on scan order details.
 */
export class TopK {
  readonly scores: Float32Array;
  readonly indices: Int32Array;
  #size = 0;

  constructor(readonly k: number) {
    this.scores = new Float32Array(Math.max(0, k));
    this.indices = new Int32Array(Math.max(0, k));
  }

  get size(): number {
    return this.#size;
  }

  /** Would `score` enter the heap? Exact when indices are offered in increasing order. */
  accepts(score: number): boolean {
    return this.#size < this.k || score > this.scores[0]!;
  }

  offer(score: number, index: number): void {
    if (this.k === 0) return;
    if (this.#size < this.k) {
      this.#siftUp(this.#size++, score, index);
    } else if (this.#worse(this.scores[0]!, this.indices[0]!, score, index)) {
      this.#siftDown(0, score, index);
    }
  }

  /** Positions in the heap arrays, best first (score desc, index asc). */
  order(): number[] {
    const order = Array.from({ length: this.#size }, (_, i) => i);
    const s = this.scores;
    const ix = this.indices;
    return order.sort((p, q) => s[q]! - s[p]! || ix[p]! - ix[q]!);
  }

  /** Is (s1, i1) worse than (s2, i2)? */
  #worse(s1: number, i1: number, s2: number, i2: number): boolean {
    return s1 < s2 || (s1 === s2 && i1 > i2);
  }

  #siftUp(pos: number, score: number, index: number): void {
    let p = pos;
    while (p > 0) {
      const parent = (p - 1) >> 1;
      if (!this.#worse(score, index, this.scores[parent]!, this.indices[parent]!)) break;
      this.scores[p] = this.scores[parent]!;
      this.indices[p] = this.indices[parent]!;
      p = parent;
    }
    this.scores[p] = score;
    this.indices[p] = index;
  }

  #siftDown(pos: number, score: number, index: number): void {
    const n = this.#size;
    let p = pos;
    for (;;) {
      let child = 2 * p + 1;
      if (child >= n) break;
      const right = child + 1;
      if (
        right < n &&
        this.#worse(
          this.scores[right]!,
          this.indices[right]!,
          this.scores[child]!,
          this.indices[child]!,
        )
      ) {
        child = right;
      }
      if (!this.#worse(this.scores[child]!, this.indices[child]!, score, index)) break;
      this.scores[p] = this.scores[child]!;
      this.indices[p] = this.indices[child]!;
      p = child;
    }
    this.scores[p] = score;
    this.indices[p] = index;
  }
}
