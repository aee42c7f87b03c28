/**
 * The count stage's results and geometry as the overlay reads them from frame
 * metadata. They are read defensively (shape-checked, never trusted), because
 * the count stage is a separate component that may evolve on its own.
 */

/** `frame.meta.counts`, written by the count stage. */
export interface Counts {
  readonly lines?: Readonly<Record<string, LineCount>>;
  readonly zones?: Readonly<Record<string, ZoneCount>>;
}
export interface LineCount {
  readonly in: number;
  readonly out: number;
}
export interface ZoneCount {
  readonly occupancy: number;
  readonly entered: number;
  readonly exited: number;
}

/** A counting line from `from` to `to`, in source pixels. */
export interface LineSpec {
  readonly name: string;
  readonly from: readonly number[];
  readonly to: readonly number[];
}
/** A counting zone, a polygon of `[x, y]` vertices in source pixels. */
export interface ZoneSpec {
  readonly name: string;
  readonly polygon: readonly (readonly number[])[];
}
/** `frame.meta.countGeometry`, if the count stage publishes what it counts against. */
export interface CountGeometry {
  readonly lines: readonly LineSpec[];
  readonly zones: readonly ZoneSpec[];
}

/**
 * `meta.counts` if it is an object, else undefined. Entries are checked where
 * they are used ({@link lineCount}, {@link zoneCount}), so reading allocates nothing.
 */
export function readCounts(meta: Record<string, unknown>): Counts | undefined {
  return isObject(meta.counts) ? (meta.counts as Counts) : undefined;
}

/** The in/out counts of line `name`, if present and numeric. */
export function lineCount(counts: Counts | undefined, name: string): LineCount | undefined {
  const c: unknown = isObject(counts?.lines) ? counts.lines[name] : undefined;
  return isObject(c) && typeof c.in === 'number' && typeof c.out === 'number'
    ? (c as unknown as LineCount)
    : undefined;
}

/** The occupancy and enter/exit counts of zone `name`, if present and numeric. */
export function zoneCount(counts: Counts | undefined, name: string): ZoneCount | undefined {
  const c: unknown = isObject(counts?.zones) ? counts.zones[name] : undefined;
  return isObject(c) &&
    typeof c.occupancy === 'number' &&
    typeof c.entered === 'number' &&
    typeof c.exited === 'number'
    ? (c as unknown as ZoneCount)
    : undefined;
}

/** `meta.countGeometry` with malformed entries left out; undefined when absent. */
export function readCountGeometry(meta: Record<string, unknown>): CountGeometry | undefined {
  const g = meta.countGeometry;
  if (!isObject(g)) return undefined;
  const lines = Array.isArray(g.lines) ? g.lines.filter(isLine) : [];
  const zones = Array.isArray(g.zones) ? g.zones.filter(isZone) : [];
  return { lines, zones };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isPoint(v: unknown): v is number[] {
  return Array.isArray(v) && v.length >= 2 && Number.isFinite(v[0]) && Number.isFinite(v[1]);
}

function isLine(v: unknown): v is LineSpec {
  return isObject(v) && typeof v.name === 'string' && isPoint(v.from) && isPoint(v.to);
}

function isZone(v: unknown): v is ZoneSpec {
  return (
    isObject(v) &&
    typeof v.name === 'string' &&
    Array.isArray(v.polygon) &&
    v.polygon.length >= 3 &&
    v.polygon.every(isPoint)
  );
}
