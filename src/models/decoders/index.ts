/**
 * All output decoders, and the choice of one for a model: by the descriptor's
 * `decoder:` name when given, else the single decoder whose `matches` accepts the
 * model's outputs. Guessing is never silent: no match or several matches is an
 * error that shows the outputs and what to set.
 *
 * NMS runs exactly once per detection, never inside a decoder: decoders of raw
 * outputs (yolo-anchor-based, yolo-darknet, yolox, yolo-anchor-free, their -seg
 * variants, CenterNet peaks) return their candidates (`needsNms`) and `decodeDetections` runs greedy
 * NMS on them with the decode options; families whose graph already did it
 * (end-to-end YOLO, SSD, torchvision) or that need none (DETR, RT-DETR,
 * single-object) only threshold, sort and cap.
 */
import { FramewireError } from '../../core/errors.ts';
import { Registry } from '../../core/registry.ts';
import { centernet } from './centernet.ts';
import { detr } from './detr.ts';
import { nanodet } from './nanodet.ts';
import { rtDetr } from './rt-detr.ts';
import { singleObject } from './single-object.ts';
import { ssdCaffe } from './ssd-caffe.ts';
import { ssdTf } from './ssd-tf.ts';
import { describeOutputs } from './tensor.ts';
import { torchvision } from './torchvision.ts';
import type { Decoder, InputSize, OutputSignature } from './types.ts';
import { yoloAnchorBased } from './yolo-anchor-based.ts';
import { yoloAnchorFree } from './yolo-anchor-free.ts';
import { yoloDarknet } from './yolo-darknet.ts';
import { yoloEnd2end } from './yolo-end2end.ts';
import { yoloFastest } from './yolo-fastest.ts';
import { yoloAnchorBasedSeg, yoloAnchorFreeSeg } from './yolo-seg.ts';
import { yolox } from './yolox.ts';

export { decodeDetections, type Suppress } from './decode.ts';
export type {
  Decoder,
  DecodeOptions,
  InputSize,
  OutputTensor,
  PreprocessDefaults,
  RawDetections,
} from './types.ts';

export const decoders = new Registry<Decoder>('decoder');
for (const d of [
  yoloAnchorBased,
  yoloDarknet,
  yolox,
  yoloAnchorFree,
  yoloAnchorBasedSeg,
  yoloAnchorFreeSeg,
  yoloEnd2end,
  yoloFastest,
  ssdCaffe,
  ssdTf,
  torchvision,
  detr,
  rtDetr,
  centernet,
  nanodet,
  singleObject,
]) {
  decoders.add(d.name, d);
}

/** A 2-D output seen as batch 1. */
function withBatch<T extends { dims: readonly (number | string)[] }>(o: T): T {
  return o.dims.length === 2 ? { ...o, dims: [1, ...o.dims] } : o;
}

/** `decoder`, fed 2-D outputs as `[1, …]`: the same values, one more dimension. */
function onBatchOfOne(decoder: Decoder): Decoder {
  return {
    ...decoder,
    decode: (outputs, opts) => decoder.decode(outputs.map(withBatch), opts),
  };
}

export function chooseDecoder(
  outputs: readonly OutputSignature[],
  meta: Record<string, string>,
  override?: string,
  input?: InputSize,
): Decoder {
  if (override !== undefined) {
    const named = decoders.find(override);
    if (!named) throw new FramewireError('MODEL_INVALID', decoders.missMessage(override));
    return named;
  }
  const candidates = decoders.entries().filter(([, d]) => d.matches(outputs, meta, input));
  if (candidates.length === 1) return candidates[0]![1];
  // Heads exported without their batch dimension ([605, 95], [8400, 85]) read as batch 1.
  if (candidates.length === 0 && outputs.some((o) => o.dims.length === 2)) {
    const batched = outputs.map(withBatch);
    const found = decoders.entries().filter(([, d]) => d.matches(batched, meta, input));
    if (found.length === 1) return onBatchOfOne(found[0]![1]);
  }
  const shown = describeOutputs(outputs) || '(none)';
  if (candidates.length === 0) {
    const all = decoders.names().join(', ');
    throw new FramewireError(
      'MODEL_INVALID',
      `no decoder recognizes the model outputs ${shown} (decoders: ${all})`,
      { hint: `set \`decoder:\` in the model descriptor to one of: ${all}` },
    );
  }
  const names = candidates.map(([name]) => name).join(', ');
  throw new FramewireError(
    'MODEL_INVALID',
    `the model outputs ${shown} fit several decoders: ${names}`,
    { hint: `set \`decoder:\` in the model descriptor to the right one (${names})` },
  );
}
