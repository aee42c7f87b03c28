/**
 * A growable struct-of-arrays of candidate detections. Decoders push the candidates
 * that pass the score threshold, then `finish` (final outputs: sorted and capped) or
 * `all` (raw outputs: the detector's NMS sorts, suppresses and caps them) turns them
 * into RawDetections. Growth is geometric, so pushing is amortized O(1) with no
 * per-candidate allocation.
 */
import { selectRawMasks } from './decode.ts';
import type { RawDetections, RawMasks } from './types.ts';

export class Candidates {
  #boxes: Float32Array;
  #scores: Float32Array;
  #classIds: Int32Array;
  #n = 0;

  constructor(capacity = 64) {
    const c = Math.max(1, capacity);
    this.#boxes = new Float32Array(c * 4);
    this.#scores = new Float32Array(c);
    this.#classIds = new Int32Array(c);
  }

  get length(): number {
    return this.#n;
  }

  push(x1: number, y1: number, x2: number, y2: number, score: number, classId: number): void {
    if (this.#n === this.#scores.length) this.#grow();
    const n = this.#n++;
    const b = this.#boxes;
    b[n * 4] = x1;
    b[n * 4 + 1] = y1;
    b[n * 4 + 2] = x2;
    b[n * 4 + 3] = y2;
    this.#scores[n] = score;
    this.#classIds[n] = classId;
  }

  /** Centre/size form, as most heads emit it. */
  pushCenter(cx: number, cy: number, w: number, h: number, score: number, classId: number): void {
    this.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, classId);
  }

  /**
   * The candidates as they are, best first, at most `maxDetections` (outputs
   * already NMS'd). `masks`, one per candidate in push order, are reordered with them.
   */
  finish(maxDetections: number, masks?: RawMasks): RawDetections {
    const order = Array.from({ length: this.#n }, (_, i) => i);
    order.sort((p, q) => this.#scores[q]! - this.#scores[p]! || p - q);
    const kept = order.slice(0, Math.max(0, maxDetections));
    const found = this.#select(kept);
    return masks ? { ...found, masks: selectRawMasks(masks, kept) } : found;
  }

  /**
   * Every candidate, in the order pushed, unsuppressed (raw outputs: NMS runs once,
   * after decoding). Views of the buffers, not copies: the instance is not pushed to again.
   */
  all(): RawDetections {
    const n = this.#n;
    return {
      boxes: this.#boxes.subarray(0, n * 4),
      scores: this.#scores.subarray(0, n),
      classIds: this.#classIds.subarray(0, n),
    };
  }

  #select(indices: ArrayLike<number>): RawDetections {
    const n = indices.length;
    const boxes = new Float32Array(n * 4);
    const scores = new Float32Array(n);
    const classIds = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = indices[k]!;
      boxes.set(this.#boxes.subarray(i * 4, i * 4 + 4), k * 4);
      scores[k] = this.#scores[i]!;
      classIds[k] = this.#classIds[i]!;
    }
    return { boxes, scores, classIds };
  }

  #grow(): void {
    const c = this.#scores.length * 2;
    const boxes = new Float32Array(c * 4);
    boxes.set(this.#boxes);
    const scores = new Float32Array(c);
    scores.set(this.#scores);
    const classIds = new Int32Array(c);
    classIds.set(this.#classIds);
    this.#boxes = boxes;
    this.#scores = scores;
    this.#classIds = classIds;
  }
}
