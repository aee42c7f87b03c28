import type {
  CountGeometry,
  CountsSnapshot,
  CountTotals,
  LineSpec,
  ZoneSpec,
} from '../core/counts.ts';
import type { GeometryTransform } from '../core/frame.ts';
import { type Colour, rgbColour, textColourOn } from './colour.ts';
import type { CountTexts } from './count-text.ts';
import { drawLabel } from './label.ts';
import { drawPolyline } from './polyline.ts';
import type { Surface } from './surface.ts';
import type { TextRenderer } from './text.ts';

/** Counting lines in magenta and zones in amber: colours the track palette rarely lands on. */
export const LINE_COLOUR = rgbColour(255, 64, 255);
export const ZONE_COLOUR = rgbColour(255, 200, 0);

/**
 * Counting lines and zone outlines, each with its counts beside it. The
 * geometry comes from the overlay's own `lines`/`zones` options when given,
 * otherwise from the count stage's snapshot (`frame.meta.counts.geometry`), so
 * a pipeline declares its lines once.
 */
export class RegionLayer {
  #points = new Float32Array(64);
  readonly #own: CountGeometry | undefined;

  constructor(
    own: { lines?: readonly LineSpec[] | undefined; zones?: readonly ZoneSpec[] | undefined },
    readonly texts: CountTexts,
  ) {
    this.#own =
      own.lines || own.zones ? { lines: own.lines ?? [], zones: own.zones ?? [] } : undefined;
  }

  /** The geometry to draw: the overlay's own, else what the count stage counted against. */
  geometry(counts: CountsSnapshot | undefined): CountGeometry | undefined {
    return this.#own ?? counts?.geometry;
  }

  draw(
    s: Surface,
    text: TextRenderer,
    thickness: number,
    transform: GeometryTransform | undefined,
    geometry: CountGeometry,
    counts: CountTotals | undefined,
  ): void {
    for (const z of geometry.zones) {
      const n = this.#map(z.polygon, transform);
      drawPolyline(s, this.#points, n, thickness, ZONE_COLOUR, true);
      let cx = 0;
      let cy = 0;
      for (let k = 0; k < n; k++) {
        cx += this.#points[2 * k]! / n;
        cy += this.#points[2 * k + 1]! / n;
      }
      this.#label(s, text, this.texts.zone(z.name, counts?.zones[z.name]), cx, cy, ZONE_COLOUR);
    }
    for (const l of geometry.lines) {
      const n = this.#mapLine(l, transform);
      drawPolyline(s, this.#points, n, thickness, LINE_COLOUR);
      const mx = (this.#points[0]! + this.#points[2]!) / 2;
      const my = (this.#points[1]! + this.#points[3]!) / 2;
      this.#label(s, text, this.texts.line(l.name, counts?.lines[l.name]), mx, my, LINE_COLOUR);
    }
  }

  #label(
    s: Surface,
    text: TextRenderer,
    pieces: readonly string[],
    x: number,
    y: number,
    c: Colour,
  ) {
    drawLabel(s, text, pieces, pieces.length, x, y, 'above', c, textColourOn(c), 0.8);
  }

  #map(points: readonly (readonly number[])[], t: GeometryTransform | undefined): number {
    if (this.#points.length < points.length * 2) this.#points = new Float32Array(points.length * 2);
    for (let k = 0; k < points.length; k++) this.#put(k, points[k]!, t);
    return points.length;
  }

  #mapLine(l: LineSpec, t: GeometryTransform | undefined): number {
    this.#put(0, l.from, t);
    this.#put(1, l.to, t);
    return 2;
  }

  /** Source pixels → frame pixels: `frame = source·scale + offset`. */
  #put(k: number, p: readonly number[], t: GeometryTransform | undefined): void {
    this.#points[2 * k] = t ? p[0]! * t.scaleX + t.offsetX : p[0]!;
    this.#points[2 * k + 1] = t ? p[1]! * t.scaleY + t.offsetY : p[1]!;
  }
}
