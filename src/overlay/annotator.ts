import type { Clock } from '../core/clock.ts';
import type { LineSpec, ZoneSpec } from '../core/counts.ts';
import type { Detections } from '../core/detections.ts';
import type { Frame, GeometryTransform, PixelFormat } from '../core/frame.ts';
import type { InstanceMask } from '../core/masks.ts';
import type { TrackInfo } from '../core/tracks.ts';
import { type Colour, textColourOn } from './colour.ts';
import { CountTexts } from './count-text.ts';
import { createSurface } from './create-surface.ts';
import { Hud } from './hud.ts';
import { drawLabel, labelPieces } from './label.ts';
import { ContourPainter } from './contours.ts';
import { drawInstanceMask } from './masks.ts';
import { colourForId } from './palette.ts';
import { drawPolyline } from './polyline.ts';
import { drawRect } from './rect.ts';
import { RegionLayer } from './regions.ts';
import { autoFontSize, autoThickness } from './scale.ts';
import { SemanticTinter } from './semantic-frame.ts';
import type { Surface } from './surface.ts';
import { TextRenderer } from './text.ts';
import { TrailHistory } from './trails.ts';

/** Style options; the overlay stage's config maps onto these one to one. */
export interface AnnotatorOptions {
  boxes: boolean;
  labels: boolean;
  scores: boolean;
  /** `auto`: by track id when the detections carry track ids, else by class. */
  colorBy: 'auto' | 'class' | 'track';
  /** Box and line width in pixels; undefined follows the resolution. */
  thickness?: number | undefined;
  fontScale: number;
  /** Past centres per track to draw as a trail; 0 turns trails off. */
  trails: number;
  masks: boolean;
  maskOpacity: number;
  /** Outline each instance mask in its colour. */
  maskContours: boolean;
  /** Tint the frame's semantic map (`meta.segmentation`) when it has one. */
  segmentation: boolean;
  segmentationOpacity: number;
  /** Labels to tint; undefined: every class but `background`. */
  segmentationClasses?: readonly string[] | undefined;
  hud: boolean;
  lines?: readonly LineSpec[] | undefined;
  zones?: readonly ZoneSpec[] | undefined;
}

/** Label backgrounds are mostly opaque: text must stay legible over any scene. */
const LABEL_OPACITY = 0.8;

/**
 * Draws a frame's detections, trails, counting regions and HUD straight into
 * its pixel buffer (supervision-style: one `annotate(frame)` method, style in
 * the options). Surfaces, fonts and scratch buffers are made when a format or
 * size is first seen and reused for every later frame, so steady-state
 * annotation allocates nothing but the occasional new label text.
 */
export class Annotator {
  readonly #trails: TrailHistory;
  readonly #texts = new CountTexts();
  readonly #regions: RegionLayer;
  readonly #hud: Hud;
  readonly #semantic: SemanticTinter;
  readonly #contours = new ContourPainter();
  readonly #pieces: string[] = ['', '', ''];
  #points = new Float32Array(0);
  #surface: Surface | undefined;
  #text: TextRenderer | undefined;
  #thickness = 2;

  constructor(
    readonly options: AnnotatorOptions,
    clock: Clock,
  ) {
    this.#trails = new TrailHistory(options.trails);
    this.#points = new Float32Array(2 * options.trails);
    this.#regions = new RegionLayer({ lines: options.lines, zones: options.zones }, this.#texts);
    this.#hud = new Hud(clock, this.#texts);
    const only = options.segmentationClasses ? new Set(options.segmentationClasses) : undefined;
    this.#semantic = new SemanticTinter(options.segmentationOpacity, (id, label) =>
      only ? only.has(label ?? String(id)) : !(id === 0 && label === 'background'),
    );
  }

  /** The text renderer in use (for tests and benchmarks: its `rasterized` count). */
  get text(): TextRenderer | undefined {
    return this.#text;
  }

  annotate(frame: Frame): void {
    const s = this.#prepare(frame.format, frame.width, frame.height);
    const text = this.#text!;
    s.bind(frame.data);
    this.#hud.tick();
    const o = this.options;
    const d = frame.meta.detections;
    const tf = frame.meta.transform;
    const counts = frame.meta.counts;
    if (d && o.trails > 0 && d.trackIds) this.#recordTrails(d, frame.meta.tracks, frame.seq);
    const map = o.segmentation ? frame.meta.segmentation : undefined;
    if (map) this.#semantic.draw(frame, map, tf);
    const masks = o.masks ? d?.masks : undefined;
    if (d && masks) this.#drawMasks(s, d, masks, tf);
    const geometry = this.#regions.geometry(counts);
    if (geometry) this.#regions.draw(s, text, this.#thickness, tf, geometry, counts);
    if (d && o.trails > 0 && d.trackIds) this.#drawTrails(s, d, tf);
    if (d && o.boxes) this.#drawBoxes(s, d, tf);
    if (d && o.labels) this.#drawLabels(s, text, d, tf);
    if (o.hud) this.#hud.draw(s, text, frame.time, counts);
  }

  /** Surface, sizes and font for this format and size, made only when they change. */
  #prepare(format: PixelFormat, width: number, height: number): Surface {
    const s = this.#surface;
    if (s && s.format === format && s.width === width && s.height === height) return s;
    this.#surface = createSurface(format, width, height);
    this.#thickness = this.options.thickness ?? autoThickness(width, height);
    const size = autoFontSize(width, height, this.options.fontScale);
    if (this.#text?.size !== size) this.#text = new TextRenderer(size);
    return this.#surface;
  }

  #colour(d: Detections, i: number): Colour {
    const mode = this.options.colorBy;
    const id = d.trackIds?.[i] ?? -1;
    // Tentative tracks (negative ids) have no identity to colour by: their class decides.
    if (mode !== 'class' && id >= 0) return colourForId(id);
    return colourForId(d.classIds[i]!);
  }

  /**
   * One centre per confirmed track: from the tracker's filtered box when the
   * track stage published `meta.tracks` (smoother than raw detections), else
   * from the detection's box.
   */
  #recordTrails(d: Detections, tracks: readonly TrackInfo[] | undefined, seq: number): void {
    if (tracks) {
      for (const t of tracks) {
        if (t.state !== 'tracked') continue;
        const b = t.box;
        this.#trails.add(t.id, seq, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
      }
    } else {
      const b = d.boxes;
      const ids = d.trackIds!;
      for (let i = 0; i < d.length; i++) {
        const x = (b[4 * i]! + b[4 * i + 2]!) / 2;
        this.#trails.add(ids[i]!, seq, x, (b[4 * i + 1]! + b[4 * i + 3]!) / 2);
      }
    }
    this.#trails.prune(seq);
  }

  #drawMasks(
    s: Surface,
    d: Detections,
    masks: readonly (InstanceMask | undefined)[],
    tf: GeometryTransform | undefined,
  ): void {
    for (let i = 0; i < d.length; i++) {
      const m = masks[i];
      if (!m) continue;
      const c = this.#colour(d, i);
      drawInstanceMask(s, m, tf, c, this.options.maskOpacity);
      if (this.options.maskContours) this.#contours.draw(s, m, tf, c, this.#contourWidth());
    }
  }

  /** 1 px while lines are 2 px thick (720p and below), 2 px above. */
  #contourWidth(): number {
    return this.#thickness > 2 ? 2 : 1;
  }

  #drawTrails(s: Surface, d: Detections, tf: GeometryTransform | undefined): void {
    const ids = d.trackIds!;
    const p = this.#points;
    for (let i = 0; i < d.length; i++) {
      if (ids[i]! < 0) continue;
      const n = this.#trails.points(ids[i]!, p);
      if (n < 2) continue;
      if (tf) {
        for (let k = 0; k < n; k++) {
          p[2 * k] = p[2 * k]! * tf.scaleX + tf.offsetX;
          p[2 * k + 1] = p[2 * k + 1]! * tf.scaleY + tf.offsetY;
        }
      }
      drawPolyline(s, p, n, this.#thickness, this.#colour(d, i));
    }
  }

  #drawBoxes(s: Surface, d: Detections, tf: GeometryTransform | undefined): void {
    const b = d.boxes;
    const sx = tf?.scaleX ?? 1;
    const sy = tf?.scaleY ?? 1;
    const ox = tf?.offsetX ?? 0;
    const oy = tf?.offsetY ?? 0;
    for (let i = 0; i < d.length; i++) {
      drawRect(
        s,
        b[4 * i]! * sx + ox,
        b[4 * i + 1]! * sy + oy,
        b[4 * i + 2]! * sx + ox,
        b[4 * i + 3]! * sy + oy,
        this.#thickness,
        this.#colour(d, i),
      );
    }
  }

  #drawLabels(s: Surface, text: TextRenderer, d: Detections, tf: GeometryTransform | undefined) {
    const b = d.boxes;
    const pieces = this.#pieces;
    for (let i = 0; i < d.length; i++) {
      const n = labelPieces(d, i, this.options.scores, pieces);
      const x = tf ? b[4 * i]! * tf.scaleX + tf.offsetX : b[4 * i]!;
      const y = tf ? b[4 * i + 1]! * tf.scaleY + tf.offsetY : b[4 * i + 1]!;
      const c = this.#colour(d, i);
      drawLabel(s, text, pieces, n, x, y, 'above', c, textColourOn(c), LABEL_OPACITY);
    }
  }
}
