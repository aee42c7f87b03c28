/**
 * TensorFlow Object Detection API exports (SSD, EfficientDet, Faster R-CNN through
 * tf2onnx): four outputs `detection_boxes [1,N,4]` (ymin, xmin, ymax, xmax,
 * normalized), `detection_classes [1,N]` (float), `detection_scores [1,N]` and
 * `num_detections [1]`. NMS already ran in the graph. Classes are the label-map ids
 * as emitted (1-based for the COCO label map: 1 = person); the descriptor's labels
 * must be indexed the same way.
 */
import { Candidates } from './candidates.ts';
import { asFloat32, asInt32, byName, requireOutput } from './tensor.ts';
import type { Decoder } from './types.ts';

const NAMES = ['detection_boxes', 'detection_classes', 'detection_scores', 'num_detections'];

export const ssdTf: Decoder = {
  name: 'ssd-tf',
  doc: 'TF Object Detection API: detection_boxes/classes/scores, num_detections',
  needsNms: false, // NMS ran in the graph
  matches(outputs) {
    return NAMES.every((n) => byName(outputs, n));
  },
  decode(outputs, opts) {
    const get = (n: string) => requireOutput('ssd-tf', outputs, n);
    const boxes = asFloat32(get('detection_boxes'));
    const classes = asInt32(get('detection_classes'));
    const scores = asFloat32(get('detection_scores'));
    const count = Math.min(Math.round(asFloat32(get('num_detections'))[0] ?? 0), scores.length);
    const w = opts.inputWidth;
    const h = opts.inputHeight;
    const found = new Candidates();
    for (let i = 0; i < count; i++) {
      const s = scores[i]!;
      if (s < opts.confidence) continue;
      const b = i * 4;
      found.push(
        boxes[b + 1]! * w,
        boxes[b]! * h,
        boxes[b + 3]! * w,
        boxes[b + 2]! * h,
        s,
        classes[i]!,
      );
    }
    return found.finish(opts.maxDetections);
  },
};
