/**
 * RT-DETR, in its two common ONNX forms:
 * - Ultralytics export: one output `[1, Q, 4+C]` (Q = 300), rows `cx, cy, w, h`
 *   normalized then C class scores already sigmoid-activated;
 * - Hugging Face / two-head export: `logits [1,Q,C]` (sigmoid to apply, no
 *   "no object" column) and `pred_boxes [1,Q,4]` normalized cx, cy, w, h.
 * A query's score is its best class; like DETR it needs no NMS.
 *
 * The one-output form has YOLOv5's shape, so it is claimed only with evidence:
 * metadata mentioning RT-DETR, a metadata class count with width 4+C and Q ≤ 300,
 * or, without metadata, Q = 300 exactly (then YOLOv5 also claims it and the user
 * is asked to set `decoder:`).
 */
import { Candidates } from './candidates.ts';
import { queryHeads } from './detr.ts';
import {
  asFloat32,
  classCountFromMeta,
  dimSize,
  invalid,
  metaSaysRtDetr,
  sigmoid,
} from './tensor.ts';
import type { Decoder, DecodeOptions, RawDetections } from './types.ts';

const KNOWN_DETR_WIDTHS = [92, 81, 21];

export const rtDetr: Decoder = {
  name: 'rt-detr',
  doc: 'RT-DETR: Ultralytics [1,300,4+C] or logits [1,Q,C] (sigmoid) + pred_boxes [1,Q,4]',
  needsNms: false, // set prediction: one query per object
  matches(outputs, meta) {
    const c = classCountFromMeta(meta);
    const heads = queryHeads(outputs);
    if (heads) {
      const width = dimSize(heads.logits.dims[2]);
      if (metaSaysRtDetr(meta)) return true;
      return c === undefined ? !KNOWN_DETR_WIDTHS.includes(width) : width === c;
    }
    if (outputs.length !== 1 || outputs[0]!.dims.length !== 3) return false;
    const [, q, k] = outputs[0]!.dims.map(dimSize) as [number, number, number];
    if (metaSaysRtDetr(meta)) return k >= 5;
    return c === undefined ? q === 300 && k >= 7 : k === 4 + c && q <= 300;
  },
  decode(outputs, opts) {
    const heads = queryHeads(outputs);
    if (heads) {
      const [, q, c] = heads.logits.dims as [number, number, number];
      return decodeRows(asFloat32(heads.logits), c, 0, asFloat32(heads.boxes), 4, q, c, true, opts);
    }
    const out = outputs.find((o) => o.dims.length === 3);
    if (!out) throw invalid('rt-detr', 'expected [1,Q,4+C] or logits + pred_boxes outputs');
    const [, q, k] = out.dims as [number, number, number];
    const d = asFloat32(out);
    return decodeRows(d, k, 4, d, k, q, k - 4, false, opts);
  },
};

/** Shared loop: scores at `scores[i*scoreStride + scoreOffset + j]`, boxes at `boxes[i*boxStride]`. */
function decodeRows(
  scores: Float32Array,
  scoreStride: number,
  scoreOffset: number,
  boxes: Float32Array,
  boxStride: number,
  q: number,
  c: number,
  logits: boolean,
  opts: DecodeOptions,
): RawDetections {
  if (c < 1 || (opts.numClasses !== undefined && opts.numClasses !== c)) {
    throw invalid('rt-detr', `${c} class columns, the descriptor says ${opts.numClasses}`);
  }
  const w = opts.inputWidth;
  const h = opts.inputHeight;
  const found = new Candidates();
  for (let i = 0; i < q; i++) {
    const row = i * scoreStride + scoreOffset;
    let best = Number.NEGATIVE_INFINITY;
    let cls = 0;
    for (let j = 0; j < c; j++) {
      const v = scores[row + j]!;
      if (v > best) {
        best = v;
        cls = j;
      }
    }
    // Sigmoid is monotonic, so activating only the best logit gives the same class.
    const score = logits ? sigmoid(best) : best;
    if (score < opts.confidence) continue;
    const b = i * boxStride;
    found.pushCenter(
      boxes[b]! * w,
      boxes[b + 1]! * h,
      boxes[b + 2]! * w,
      boxes[b + 3]! * h,
      score,
      cls,
    );
  }
  return found.finish(opts.maxDetections);
}
