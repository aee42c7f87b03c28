/**
 * The classic "backbone + two heads" localizer: one box-regression output `[1,4]`
 * and one class output `[1,C]`, at most one detection per image. The box format is
 * `boxFormat` (default normalized x1,y1,x2,y2). Class outputs that are already
 * probabilities (all in 0..1) are used as they are; otherwise they are logits and
 * get a softmax.
 */
import { Candidates } from './candidates.ts';
import { asFloat32, byName, dimSize, invalid } from './tensor.ts';
import type { Decoder, OutputSignature } from './types.ts';

const BOX_NAMES = ['box', 'bbox', 'boxes', 'bbox_output', 'box_output', 'regression'];

function heads<T extends OutputSignature>(outputs: readonly T[]): { box: T; cls: T } | undefined {
  if (outputs.length !== 2 || outputs.some((o) => o.dims.length !== 2)) return undefined;
  const box = byName(outputs, ...BOX_NAMES) ?? outputs.find((o) => dimSize(o.dims[1]) === 4);
  const cls = outputs.find((o) => o !== box);
  if (!box || !cls || dimSize(box.dims[1]) !== 4) return undefined;
  // A four-class head beside a box head is ambiguous unless the names tell them apart.
  if (dimSize(cls.dims[1]) === 4 && !byName(outputs, ...BOX_NAMES)) return undefined;
  return { box, cls };
}

export const singleObject: Decoder = {
  name: 'single-object',
  doc: 'one box head [1,4] + one class head [1,C]; boxFormat sets the box layout',
  needsNms: false, // at most one box
  matches(outputs) {
    return heads(outputs) !== undefined;
  },
  decode(outputs, opts) {
    const h = heads(outputs);
    if (!h) throw invalid('single-object', 'expected a [1,4] box output and a [1,C] class output');
    const box = asFloat32(h.box);
    const probs = probabilities(asFloat32(h.cls));
    let cls = 0;
    for (let j = 1; j < probs.length; j++) if (probs[j]! > probs[cls]!) cls = j;
    const score = probs[cls] ?? 0;
    const found = new Candidates(1);
    if (score >= opts.confidence && opts.maxDetections >= 1) {
      const [a, b, c, d] = [box[0]!, box[1]!, box[2]!, box[3]!];
      const format = opts.boxFormat ?? 'xyxy-normalized';
      const sx = format.endsWith('normalized') ? opts.inputWidth : 1;
      const sy = format.endsWith('normalized') ? opts.inputHeight : 1;
      if (format.startsWith('cxcywh')) found.pushCenter(a * sx, b * sy, c * sx, d * sy, score, cls);
      else found.push(a * sx, b * sy, c * sx, d * sy, score, cls);
    }
    return found.finish(opts.maxDetections);
  },
};

function probabilities(v: Float32Array): Float32Array {
  let inRange = true;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of v) {
    if (x < 0 || x > 1) inRange = false;
    if (x > max) max = x;
  }
  if (inRange) return v;
  const out = new Float32Array(v.length);
  let sum = 0;
  for (let j = 0; j < v.length; j++) sum += out[j] = Math.exp(v[j]! - max);
  for (let j = 0; j < v.length; j++) out[j] = out[j]! / sum;
  return out;
}
