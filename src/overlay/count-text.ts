import type { LineCount, ZoneCount } from '../core/counts.ts';

/**
 * Label pieces for counts (`door`, `in 3`, `out 1`), remembered per name and
 * rebuilt only when a number changes, so the HUD and region labels format no
 * strings in frames where nothing was counted — which is most of them.
 */
export class CountTexts {
  readonly #lines = new Map<string, Memo>();
  readonly #zones = new Map<string, Memo>();

  /** `[name, 'in N', 'out M']`, or just `[name]` before any count is known. */
  line(name: string, c: LineCount | undefined): readonly string[] {
    const m = memo(this.#lines, name);
    if (!c) return m.bare;
    if (m.a !== c.in || m.b !== c.out || m.pieces.length === 0) {
      m.a = c.in;
      m.b = c.out;
      m.pieces = [name, `in ${c.in}`, `out ${c.out}`];
    }
    return m.pieces;
  }

  /** `[name, 'N inside', 'in E', 'out X']`, or just `[name]` before any count is known. */
  zone(name: string, c: ZoneCount | undefined): readonly string[] {
    const m = memo(this.#zones, name);
    if (!c) return m.bare;
    if (m.a !== c.occupancy || m.b !== c.entered || m.c !== c.exited || m.pieces.length === 0) {
      m.a = c.occupancy;
      m.b = c.entered;
      m.c = c.exited;
      m.pieces = [name, `${c.occupancy} inside`, `in ${c.entered}`, `out ${c.exited}`];
    }
    return m.pieces;
  }
}

interface Memo {
  a: number;
  b: number;
  c: number;
  pieces: string[];
  readonly bare: readonly string[];
}

function memo(map: Map<string, Memo>, name: string): Memo {
  let m = map.get(name);
  if (!m) {
    m = { a: Number.NaN, b: Number.NaN, c: Number.NaN, pieces: [], bare: [name] };
    map.set(name, m);
  }
  return m;
}
