import type { ZoneCount, ZoneSpec } from '../core/counts.ts';
import { distanceToOutline, insidePolygon, type Polygon } from './polygon.ts';

/**
 * Occupancy, entries and exits of one polygon zone. With `hysteresis`, a track
 * enters only once its anchor is that far inside the outline and leaves only
 * once that far outside, so a box jittering on the border does not flicker in
 * and out.
 */
export class ZoneCounter {
  entered = 0;
  exited = 0;
  /** Occupants → presentation timestamp (µs) they entered at. */
  readonly #inside = new Map<number, number>();
  readonly #polygon: Polygon;

  constructor(
    readonly spec: ZoneSpec,
    readonly hysteresis: number,
  ) {
    this.#polygon = spec.polygon;
  }

  /** Records track `id` at anchor `(x, y)` in the frame at `ptsUs`. */
  observe(id: number, x: number, y: number, ptsUs: number): void {
    const isIn = insidePolygon(this.#polygon, x, y);
    const clear = this.hysteresis <= 0 || distanceToOutline(this.#polygon, x, y) >= this.hysteresis;
    if (!clear) return; // on the border: no change either way
    const wasIn = this.#inside.has(id);
    if (isIn && !wasIn) {
      this.#inside.set(id, ptsUs);
      this.entered++;
    } else if (!isIn && wasIn) {
      this.#inside.delete(id);
      this.exited++;
    }
  }

  /** The track ended: an occupant leaves. */
  forget(id: number): void {
    if (this.#inside.delete(id)) this.exited++;
  }

  ids(): IterableIterator<number> {
    return this.#inside.keys();
  }

  count(ptsUs: number): ZoneCount {
    const inside = [...this.#inside].map(([trackId, since]) => ({
      trackId,
      seconds: Math.round((ptsUs - since) / 1e3) / 1e3,
    }));
    return { occupancy: inside.length, entered: this.entered, exited: this.exited, inside };
  }
}
