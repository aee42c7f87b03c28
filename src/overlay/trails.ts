/**
 * The last `length` centres of every confirmed track, in source pixels, kept
 * by the overlay itself from each frame's detections (so it needs nothing from
 * the tracker but the ids). Each track's history is a ring buffer; buffers of
 * tracks gone for `maxAge` frames are recycled, so steady state allocates
 * nothing however many tracks come and go.
 */
export class TrailHistory {
  readonly #tracks = new Map<number, Trail>();
  readonly #free: Trail[] = [];
  #seq = 0;

  constructor(
    readonly length: number,
    readonly maxAge = Math.max(length, 30),
  ) {}

  /** Records the centre of track `id` for frame `seq`. Negative (tentative) ids are ignored. */
  add(id: number, seq: number, x: number, y: number): void {
    if (id < 0 || this.length === 0) return;
    let t = this.#tracks.get(id);
    if (!t) {
      t = this.#free.pop() ?? new Trail(this.length);
      t.count = 0;
      t.head = 0;
      this.#tracks.set(id, t);
    }
    t.push(x, y);
    t.lastSeq = seq;
  }

  /** Forgets tracks not seen for more than `maxAge` frames before `seq`. */
  prune(seq: number): void {
    this.#seq = seq;
    this.#tracks.forEach(this.#pruneOne);
  }

  readonly #pruneOne = (t: Trail, id: number): void => {
    if (this.#seq - t.lastSeq > this.maxAge) {
      this.#tracks.delete(id);
      this.#free.push(t);
    }
  };

  /**
   * Copies track `id`'s centres, oldest first, into `out` as `x, y, …` and
   * returns how many points there are (0 for an unknown track).
   */
  points(id: number, out: Float32Array): number {
    const t = this.#tracks.get(id);
    if (!t) return 0;
    const start = (t.head - t.count + this.length) % this.length;
    for (let k = 0; k < t.count; k++) {
      const j = (start + k) % this.length;
      out[2 * k] = t.xy[2 * j]!;
      out[2 * k + 1] = t.xy[2 * j + 1]!;
    }
    return t.count;
  }

  get size(): number {
    return this.#tracks.size;
  }
}

class Trail {
  readonly xy: Float32Array;
  /** Next slot to write. */
  head = 0;
  count = 0;
  lastSeq = 0;

  constructor(readonly length: number) {
    this.xy = new Float32Array(2 * length);
  }

  push(x: number, y: number): void {
    this.xy[2 * this.head] = x;
    this.xy[2 * this.head + 1] = y;
    this.head = (this.head + 1) % this.length;
    if (this.count < this.length) this.count++;
  }
}
