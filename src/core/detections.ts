import type { Detection } from './detection.ts';
import type { InstanceMask } from './masks.ts';
import { encodeMask } from './rle.ts';

/**
 * Detections of one frame as a struct of typed arrays, validated on construction.
 * Boxes are `[x1, y1, x2, y2]` in source-frame pixels. Filtering returns a new
 * instance; nothing mutates an instance another stage may still hold.
 */
export class Detections {
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly classIds: Int32Array;
  /** Class names indexed by class id; a missing entry prints as the id. */
  readonly names: readonly string[];
  /**
   * Track ids; absent before a tracking stage. A negative id marks a detection
   * not (yet) assigned to a confirmed track: it has no public id, and counting
   * and overlays ignore it as a track.
   */
  readonly trackIds: Int32Array | undefined;
  /**
   * Instance masks, entry `i` belonging to detection `i` (undefined: that one
   * has none); absent when the model makes no masks. `select`, `filter` and
   * `withTrackIds` carry them, so NMS and tracking keep them lined up.
   */
  readonly masks: readonly (InstanceMask | undefined)[] | undefined;
  /**
   * True when no model ran on this frame: every box is carried from the last
   * inferred frame or predicted by a tracker (`detect`'s `interval`). The JSON
   * marks each detection `predicted: true`.
   */
  readonly predicted: boolean;

  constructor(init: {
    boxes: Float32Array;
    scores: Float32Array;
    classIds: Int32Array;
    names: readonly string[];
    trackIds?: Int32Array;
    masks?: readonly (InstanceMask | undefined)[];
    predicted?: boolean;
  }) {
    const n = init.scores.length;
    if (init.boxes.length !== n * 4) {
      throw new RangeError(`Detections: boxes has ${init.boxes.length} values, expected 4 × ${n}`);
    }
    if (init.classIds.length !== n) {
      throw new RangeError(
        `Detections: classIds has ${init.classIds.length} values, expected ${n}`,
      );
    }
    if (init.trackIds && init.trackIds.length !== n) {
      throw new RangeError(
        `Detections: trackIds has ${init.trackIds.length} values, expected ${n}`,
      );
    }
    if (init.masks && init.masks.length !== n) {
      throw new RangeError(`Detections: masks has ${init.masks.length} entries, expected ${n}`);
    }
    this.boxes = init.boxes;
    this.scores = init.scores;
    this.classIds = init.classIds;
    this.names = init.names;
    this.trackIds = init.trackIds;
    this.masks = init.masks;
    this.predicted = init.predicted ?? false;
  }

  static empty(names: readonly string[] = []): Detections {
    return new Detections({
      boxes: new Float32Array(0),
      scores: new Float32Array(0),
      classIds: new Int32Array(0),
      names,
    });
  }

  static fromList(list: readonly Detection[], names: readonly string[] = []): Detections {
    const n = list.length;
    const boxes = new Float32Array(n * 4);
    const scores = new Float32Array(n);
    const classIds = new Int32Array(n);
    const withTracks = n > 0 && list.every((d) => d.trackId !== undefined);
    const trackIds = withTracks ? new Int32Array(n) : undefined;
    const table = [...names];
    list.forEach((d, i) => {
      boxes.set(d.box, i * 4);
      scores[i] = d.score;
      classIds[i] = d.classId;
      if (trackIds) trackIds[i] = d.trackId ?? -1;
      if (table[d.classId] === undefined) table[d.classId] = d.label;
    });
    const predicted = n > 0 && list.every((d) => d.predicted === true);
    return new Detections({ boxes, scores, classIds, names: table, trackIds, predicted });
  }

  get length(): number {
    return this.scores.length;
  }

  label(i: number): string {
    const id = this.classIds[i]!;
    return this.names[id] ?? String(id);
  }

  box(i: number): [number, number, number, number] {
    const b = this.boxes;
    return [b[i * 4]!, b[i * 4 + 1]!, b[i * 4 + 2]!, b[i * 4 + 3]!];
  }

  /** A new instance holding the entries at `indices`, in that order. */
  select(indices: ArrayLike<number>): Detections {
    const n = indices.length;
    const boxes = new Float32Array(n * 4);
    const scores = new Float32Array(n);
    const classIds = new Int32Array(n);
    const trackIds = this.trackIds ? new Int32Array(n) : undefined;
    const masks = this.masks ? new Array<InstanceMask | undefined>(n) : undefined;
    for (let k = 0; k < n; k++) {
      const i = indices[k]!;
      boxes.set(this.boxes.subarray(i * 4, i * 4 + 4), k * 4);
      scores[k] = this.scores[i]!;
      classIds[k] = this.classIds[i]!;
      if (trackIds) trackIds[k] = this.trackIds![i]!;
      if (masks) masks[k] = this.masks![i];
    }
    return new Detections({
      boxes,
      scores,
      classIds,
      names: this.names,
      ...(trackIds ? { trackIds } : {}),
      ...(masks ? { masks } : {}),
      predicted: this.predicted,
    });
  }

  /** A new instance with the entries for which `keep` returns true. */
  filter(keep: (i: number) => boolean): Detections {
    const indices: number[] = [];
    for (let i = 0; i < this.length; i++) if (keep(i)) indices.push(i);
    return this.select(indices);
  }

  withTrackIds(trackIds: Int32Array): Detections {
    return new Detections({ ...this.#fields(), trackIds });
  }

  withMasks(masks: readonly (InstanceMask | undefined)[]): Detections {
    return new Detections({ ...this.#fields(), masks });
  }

  /** The same entries (boxes, masks, track ids shared, not copied), marked predicted. */
  asPredicted(): Detections {
    return this.predicted ? this : new Detections({ ...this.#fields(), predicted: true });
  }

  #fields() {
    return {
      boxes: this.boxes,
      scores: this.scores,
      classIds: this.classIds,
      names: this.names,
      ...(this.trackIds ? { trackIds: this.trackIds } : {}),
      ...(this.masks ? { masks: this.masks } : {}),
      predicted: this.predicted,
    };
  }

  /**
   * The JSON objects of the output contract (JSONL, WebSocket, `detect --json`).
   * Masks are written as COCO RLE of the source frame, so `source` (its size)
   * is needed where detections carry masks; without it they are left out.
   */
  toList(source?: { width: number; height: number }): Detection[] {
    const out: Detection[] = [];
    for (let i = 0; i < this.length; i++) {
      const b = this.box(i);
      const d: Detection = {
        box: [round2(b[0]), round2(b[1]), round2(b[2]), round2(b[3])],
        score: Math.round(this.scores[i]! * 10000) / 10000,
        classId: this.classIds[i]!,
        label: this.label(i),
      };
      // Negative ids mark detections of tentative tracks: they have no public id.
      if (this.trackIds && this.trackIds[i]! >= 0) d.trackId = this.trackIds[i]!;
      if (this.predicted) d.predicted = true;
      const mask = this.masks?.[i];
      if (mask && source) d.mask = encodeMask(mask, source.width, source.height);
      out.push(d);
    }
    return out;
  }
}

/** Pixel coordinates to 1/100 px: enough for any consumer, and short JSON. */
function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
