import { nms } from '../nms.ts';
import type { Decoder, DecodeOptions, OutputTensor, RawDetections, RawMasks } from './types.ts';

/** Greedy NMS as `nms` computes it: kept indices, best first. Injectable for tests. */
export type Suppress = typeof nms;

/**
 * A model's detections from its output tensors: the decoder's, with NMS run
 * once (class-aware unless `classAgnostic`, at `opts.iou`, capped at
 * `opts.maxDetections`) when the decoder returns candidates (`needsNms`), and
 * not at all when its outputs are final. Boxes stay in model-input pixels.
 */
export function decodeDetections(
  decoder: Decoder,
  outputs: readonly OutputTensor[],
  opts: DecodeOptions,
  suppress: Suppress = nms,
): RawDetections {
  const decoded = decoder.decode(outputs, opts);
  if (!decoder.needsNms) return decoded;
  return pick(decoded, suppress(decoded.boxes, decoded.scores, decoded.classIds, opts));
}

/** The detections at `keep`, in that order, in fresh arrays. */
function pick(d: RawDetections, keep: Int32Array): RawDetections {
  const boxes = new Float32Array(keep.length * 4);
  const scores = new Float32Array(keep.length);
  const classIds = new Int32Array(keep.length);
  keep.forEach((i, k) => {
    boxes.set(d.boxes.subarray(i * 4, i * 4 + 4), k * 4);
    scores[k] = d.scores[i]!;
    classIds[k] = d.classIds[i]!;
  });
  return d.masks
    ? { boxes, scores, classIds, masks: selectRawMasks(d.masks, keep) }
    : { boxes, scores, classIds };
}

/** The masks of the detections at `keep`, in that order (as `pick` selects their boxes). */
export function selectRawMasks(m: RawMasks, keep: ArrayLike<number>): RawMasks {
  const rows = (data: Float32Array, size: number): Float32Array => {
    const out = new Float32Array(keep.length * size);
    for (let k = 0; k < keep.length; k++) {
      const i = keep[k]!;
      out.set(data.subarray(i * size, (i + 1) * size), k * size);
    }
    return out;
  };
  return m.kind === 'prototypes'
    ? { ...m, coefficients: rows(m.coefficients, m.channels) }
    : { ...m, probabilities: rows(m.probabilities, m.width * m.height) };
}
