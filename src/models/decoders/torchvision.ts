/**
 * torchvision detection models exported to ONNX (Faster/Mask R-CNN, RetinaNet,
 * FCOS, SSD, SSDlite): `boxes [N,4]` x1,y1,x2,y2 in input pixels, `labels [N]`
 * int64, `scores [N]`, N dynamic. Mask R-CNN's per-box `masks [N,1,28,28]`
 * (probabilities spanning each box) become 'box' RawMasks, pasted into the box by
 * `masksToSource`; masks already pasted at the input size (torchvision's own
 * export) are not carried yet. NMS already ran in the model. A leading batch dimension of 1 is accepted.
 *
 * Labels: torchvision's COCO weights use the 91-index COCO category ids, where 0
 * is background (never emitted) and ten ids are unused; `labels` are passed through
 * unchanged and named by the `coco91` label space (`src/models/labels/label-space.ts`).
 */
import { Candidates } from './candidates.ts';
import { selectRawMasks } from './decode.ts';
import { asFloat32, asInt32, byName, invalid, requireOutput } from './tensor.ts';
import type { Decoder, DecodeOptions, OutputSignature, OutputTensor, RawMasks } from './types.ts';

/** Dimensions after an optional leading batch of 1. */
function unbatched(o: OutputSignature, rank: number): readonly (number | string)[] | undefined {
  if (o.dims.length === rank) return o.dims;
  if (o.dims.length === rank + 1 && (o.dims[0] === 1 || typeof o.dims[0] === 'string')) {
    return o.dims.slice(1);
  }
  return undefined;
}

export const torchvision: Decoder = {
  name: 'torchvision',
  doc: 'torchvision detectors: boxes [N,4] pixels, labels [N] int64, scores [N]',
  needsNms: false, // NMS ran in the model's postprocess
  matches(outputs) {
    const boxes = byName(outputs, 'boxes');
    const labels = byName(outputs, 'labels');
    const scores = byName(outputs, 'scores');
    if (!boxes || !labels || !scores) return false;
    return unbatched(boxes, 2)?.[1] === 4 && !!unbatched(labels, 1) && !!unbatched(scores, 1);
  },
  decode(outputs, opts) {
    const get = (n: string) => requireOutput('torchvision', outputs, n);
    const boxes = asFloat32(get('boxes'));
    const labels = asInt32(get('labels'));
    const scores = asFloat32(get('scores'));
    const n = scores.length;
    if (boxes.length !== n * 4 || labels.length !== n) {
      throw invalid(
        'torchvision',
        `boxes/labels/scores disagree: ${boxes.length / 4}, ${labels.length}, ${n}`,
      );
    }
    const masks = perBoxMasks(outputs, n, opts);
    const pushed: number[] = [];
    const found = new Candidates(n);
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      if (s < opts.confidence) continue;
      pushed.push(i);
      found.push(
        boxes[i * 4]!,
        boxes[i * 4 + 1]!,
        boxes[i * 4 + 2]!,
        boxes[i * 4 + 3]!,
        s,
        labels[i]!,
      );
    }
    return found.finish(opts.maxDetections, masks && selectRawMasks(masks, pushed));
  },
};

/** Mask R-CNN's per-box grids `[N,1,h,w]`, when present and smaller than the input. */
function perBoxMasks(
  outputs: readonly OutputTensor[],
  n: number,
  opts: DecodeOptions,
): RawMasks | undefined {
  const m = byName(outputs, 'masks');
  const dims = m && unbatched(m, 4);
  if (!m || !dims || dims[0] !== n || dims[1] !== 1) return undefined;
  const [height, width] = [dims[2] as number, dims[3] as number];
  if (height === opts.inputHeight && width === opts.inputWidth) return undefined;
  return { kind: 'box', probabilities: asFloat32(m), width, height };
}
