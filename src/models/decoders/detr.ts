/**
 * DETR (facebookresearch/detr, Hugging Face exports): `pred_logits [1,Q,C+1]`
 * (or `logits`) and `pred_boxes [1,Q,4]`. Class probabilities are a softmax over
 * C+1 logits whose last entry is "no object"; a query's score is its best real
 * class. Boxes are normalized cx, cy, w, h. Set prediction needs no NMS.
 *
 * Told apart from RT-DETR's two-output form (sigmoid, no "no object" column) by the
 * logits width: the metadata's class count + 1, or without metadata the widths of
 * the published DETR heads (COCO 91+1, COCO 80+1, VOC 20+1). Labels are passed
 * through: the COCO DETR weights use the 91-index category ids.
 */
import { Candidates } from './candidates.ts';
import {
  asFloat32,
  byName,
  classCountFromMeta,
  dimSize,
  invalid,
  metaSaysRtDetr,
} from './tensor.ts';
import type { Decoder, OutputSignature } from './types.ts';

const KNOWN_WIDTHS = [92, 81, 21];

/** `logits` and `boxes` of a query-based detector (DETR and RT-DETR two-output forms). */
export function queryHeads<T extends OutputSignature>(
  outputs: readonly T[],
): { logits: T; boxes: T } | undefined {
  const logits = byName(outputs, 'pred_logits', 'logits');
  const boxes = byName(outputs, 'pred_boxes', 'boxes');
  if (!logits || !boxes || logits.dims.length !== 3 || boxes.dims.length !== 3) return undefined;
  return dimSize(boxes.dims[2]) === 4 ? { logits, boxes } : undefined;
}

export const detr: Decoder = {
  name: 'detr',
  doc: 'DETR pred_logits [1,Q,C+1] (softmax, last = no object) + pred_boxes [1,Q,4] normalized cxcywh',
  needsNms: false, // set prediction: one query per object
  matches(outputs, meta) {
    const heads = queryHeads(outputs);
    if (!heads || metaSaysRtDetr(meta)) return false;
    const width = dimSize(heads.logits.dims[2]);
    const c = classCountFromMeta(meta);
    return c === undefined ? KNOWN_WIDTHS.includes(width) : width === c + 1;
  },
  decode(outputs, opts) {
    const heads = queryHeads(outputs);
    if (!heads) throw invalid('detr', 'expected pred_logits [1,Q,C+1] and pred_boxes [1,Q,4]');
    const [, q, k] = heads.logits.dims as [number, number, number];
    if (opts.numClasses !== undefined && opts.numClasses + 1 !== k) {
      throw invalid('detr', `logits width ${k} is not ${opts.numClasses} classes + "no object"`);
    }
    const logits = asFloat32(heads.logits);
    const boxes = asFloat32(heads.boxes);
    const w = opts.inputWidth;
    const h = opts.inputHeight;
    const found = new Candidates();
    for (let i = 0; i < q; i++) {
      const row = i * k;
      // Softmax without overflow: subtract the row maximum before exponentiating.
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < k; j++) max = Math.max(max, logits[row + j]!);
      let sum = 0;
      let best = Number.NEGATIVE_INFINITY;
      let cls = 0;
      for (let j = 0; j < k; j++) {
        const v = logits[row + j]!;
        sum += Math.exp(v - max);
        if (j < k - 1 && v > best) {
          best = v;
          cls = j;
        }
      }
      const score = Math.exp(best - max) / sum;
      if (score < opts.confidence) continue;
      const b = i * 4;
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
  },
};
