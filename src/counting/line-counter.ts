import type { LineSpec } from '../core/counts.ts';

/** Side of the line a track was last seen clearly on: -1 left, +1 right. */
type Side = -1 | 1;

/**
 * Counts tracks crossing the segment `from → to`, by direction.
 *
 * Sides are as seen on screen walking from `from` to `to` (image y grows
 * downwards): `in` counts a crossing from the left side to the right side,
 * `out` from right to left. For a line drawn left to right across the frame,
 * left is above and right is below: moving down the image is `in`.
 *
 * Hysteresis: a track's side is only (re)established once its anchor is at
 * least `hysteresis` pixels from the line, so a box jittering on the line
 * counts once, when it finally clears the band on the other side. A track is
 * only tested while its anchor projects onto the segment itself (not its
 * extension): passing beside the end of the line forgets its side, so walking
 * around a line never counts.
 */
export class LineCounter {
  in = 0;
  out = 0;
  readonly #sides = new Map<number, Side>();
  readonly #fx: number;
  readonly #fy: number;
  readonly #dx: number;
  readonly #dy: number;
  readonly #len: number;

  constructor(
    readonly spec: LineSpec,
    readonly hysteresis: number,
  ) {
    this.#fx = spec.from[0]!;
    this.#fy = spec.from[1]!;
    this.#dx = spec.to[0]! - this.#fx;
    this.#dy = spec.to[1]! - this.#fy;
    this.#len = Math.hypot(this.#dx, this.#dy);
  }

  /** Records track `id` at anchor `(x, y)`; counts a crossing if it completed one. */
  observe(id: number, x: number, y: number): void {
    if (this.#len === 0) return;
    const px = x - this.#fx;
    const py = y - this.#fy;
    const along = (px * this.#dx + py * this.#dy) / (this.#len * this.#len);
    if (along < 0 || along > 1) {
      this.#sides.delete(id);
      return;
    }
    // Positive cross product: right of from→to on screen (y down).
    const distance = (this.#dx * py - this.#dy * px) / this.#len;
    const side: Side | undefined =
      distance > 0 && distance >= this.hysteresis
        ? 1
        : distance < 0 && -distance >= this.hysteresis
          ? -1
          : undefined;
    if (side === undefined) return; // inside the band: keep the last clear side
    const before = this.#sides.get(id);
    if (before === -1 && side === 1) this.in++;
    if (before === 1 && side === -1) this.out++;
    this.#sides.set(id, side);
  }

  /** The track ended: its state goes. */
  forget(id: number): void {
    this.#sides.delete(id);
  }

  /** Track ids with state, to find the ones that ended. */
  ids(): IterableIterator<number> {
    return this.#sides.keys();
  }
}
