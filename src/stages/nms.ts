import { map } from 'rxjs';
import { t } from '../core/schema.ts';
import { defineStage } from '../core/component.ts';
import type { Frame } from '../core/frame.ts';
import { nms } from '../models/nms.ts';

/**
 * Greedy non-maximum suppression over each frame's detections. The detector already
 * ran NMS once on raw-output models; this stage is for tightening it afterwards
 * (class-agnostic suppression, a stricter IoU, merging several detectors' results).
 * Frames without detections pass through untouched.
 */
export const nmsStage = defineStage({
  type: 'nms',
  doc: 'Suppress overlapping detections (greedy NMS), class-aware unless classAgnostic',
  options: {
    iou: t.number({
      doc: 'Boxes overlapping a better one by more than this IoU are removed',
      min: 0,
      max: 1,
      default: 0.45,
    }),
    confidence: t.number({
      doc: 'Detections scoring below this are removed first',
      min: 0,
      max: 1,
      default: 0.25,
    }),
    maxDetections: t.integer({
      doc: 'At most this many detections per frame, best first',
      min: 1,
      default: 300,
    }),
    classAgnostic: t.boolean({
      doc: 'Suppress across classes (true) or only within each class (false)',
      default: false,
    }),
  },
  create(config) {
    return map((frame: Frame) => {
      const detections = frame.meta.detections;
      if (!detections) return frame;
      const keep = nms(detections.boxes, detections.scores, detections.classIds, config);
      // Detections are immutable: the frame gets a new instance, others keep
      // theirs. Masks travel inside it, so they follow the same selection.
      frame.meta.detections = detections.select(keep);
      return frame;
    });
  },
});
