/**
 * Exports with NMS inside the graph, so decoding is a threshold and a cap:
 * - YOLOv10 and Ultralytics `nms=True`: one output `[1, N, 6]`, rows
 *   `x1, y1, x2, y2, score, class` in input pixels;
 * - YOLOv7 `--end2end` (EfficientNMS layout): `num_dets [1,1]`, `det_boxes [1,K,4]`
 *   (x1,y1,x2,y2 pixels), `det_scores [1,K]`, `det_classes [1,K]`; only the first
 *   `num_dets` rows are valid.
 */
import { Candidates } from './candidates.ts';
import { asFloat32, asInt32, byName, dimSize, requireOutput } from './tensor.ts';
import type { Decoder } from './types.ts';

/** Row count above which `[1,N,6]` cannot be NMS output (max_det is 300 by default). */
export const MAX_END2END_ROWS = 1000;

const V7_NAMES = ['num_dets', 'det_boxes', 'det_scores', 'det_classes'] as const;

export const yoloEnd2end: Decoder = {
  name: 'yolo-end2end',
  doc: 'NMS-in-graph exports: [1,N,6] x1,y1,x2,y2,score,class (v10) or YOLOv7 num_dets/det_*',
  needsNms: false, // NMS ran in the graph (YOLOv10: its one-to-one head needs none)
  matches(outputs) {
    if (V7_NAMES.every((n) => byName(outputs, n))) return true;
    if (outputs.length !== 1 || outputs[0]!.dims.length !== 3) return false;
    const [, n, k] = outputs[0]!.dims.map(dimSize) as [number, number, number];
    // More rows than any max_det is a one-class YOLOv5's anchor grid, not NMS output.
    return k === 6 && !(n > MAX_END2END_ROWS);
  },
  decode(outputs, opts) {
    const found = new Candidates();
    if (byName(outputs, 'det_boxes')) {
      const get = (n: string) => requireOutput('yolo-end2end', outputs, n);
      const count = asInt32(get('num_dets'))[0] ?? 0;
      const boxes = asFloat32(get('det_boxes'));
      const scores = asFloat32(get('det_scores'));
      const classes = asInt32(get('det_classes'));
      const n = Math.min(count, scores.length);
      for (let i = 0; i < n; i++) {
        const s = scores[i]!;
        if (s < opts.confidence) continue;
        const b = i * 4;
        found.push(boxes[b]!, boxes[b + 1]!, boxes[b + 2]!, boxes[b + 3]!, s, classes[i]!);
      }
    } else {
      const out = outputs[0]!;
      const d = asFloat32(out);
      const n = out.dims[1]!;
      for (let r = 0, row = 0; r < n; r++, row += 6) {
        const s = d[row + 4]!;
        // Padding rows are zero-score; the threshold drops them as well.
        if (!(s >= opts.confidence) || s <= 0) continue;
        found.push(d[row]!, d[row + 1]!, d[row + 2]!, d[row + 3]!, s, Math.round(d[row + 5]!));
      }
    }
    return found.finish(opts.maxDetections);
  },
};
