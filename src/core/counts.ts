import type { Frame } from './frame.ts';

/**
 * Counting lines and zones, and the totals the `count` stage reports against
 * them. Declared once, here, because frame metadata carries them: the counting
 * library counts with these specs, the overlay draws them, sinks write the totals.
 */

/** A counting line from `from` to `to` (`[x, y]` each), in source-frame pixels. */
export interface LineSpec {
  readonly name: string;
  readonly from: readonly number[];
  readonly to: readonly number[];
}

/** A counting zone, a polygon of `[x, y]` vertices in source-frame pixels, implicitly closed. */
export interface ZoneSpec {
  readonly name: string;
  readonly polygon: readonly (readonly number[])[];
}

/** The lines and zones one count stage counts against. */
export interface CountGeometry {
  readonly lines: readonly LineSpec[];
  readonly zones: readonly ZoneSpec[];
}

/** Crossings of one line, by direction (see `LineCounter` for which way is in). */
export interface LineCount {
  readonly in: number;
  readonly out: number;
}

/** A zone's state as `frame.meta.counts.zones[name]` reports it. */
export interface ZoneCount {
  /** Tracks in the zone now (lost tracks last seen inside included, until they end). */
  readonly occupancy: number;
  /** Tracks that came into the zone (a track first seen inside counts as entering). */
  readonly entered: number;
  /** Tracks that left it, by moving out or by ending while inside. */
  readonly exited: number;
  /** Current occupants with their time in the zone so far, by presentation timestamps. */
  readonly inside: readonly { readonly trackId: number; readonly seconds: number }[];
}

/** Running totals per line and zone name, as of one frame: what the JSON output carries. */
export interface CountTotals {
  readonly lines: Readonly<Record<string, LineCount>>;
  readonly zones: Readonly<Record<string, ZoneCount>>;
}

/**
 * `frame.meta.counts`: the totals, plus the geometry they were counted against
 * (one object for the whole run), so an overlay draws the same lines and zones
 * without the pipeline declaring them twice.
 */
export interface CountsSnapshot extends CountTotals {
  readonly geometry: CountGeometry;
}

/** The count stage's snapshot on a frame; undefined if no count stage ran on it. */
export function countsOf(frame: Frame): CountsSnapshot | undefined {
  return frame.meta.counts;
}
