/**
 * Caffe / OpenCV-DNN SSD `DetectionOutput`: one output `[1, 1, N, 7]`, rows
 * `image_id, label, confidence, x1, y1, x2, y2` with coordinates normalized to
 * 0..1. NMS already ran inside the layer. Rows with `image_id < 0` are padding.
 * Labels are passed through as the model emits them: Caffe SSD label maps reserve
 * 0 for background (VOC models emit 1..20), so the descriptor's label list must
 * carry the background entry at index 0.
 */
import { Candidates } from './candidates.ts';
import { asFloat32, dimSize, invalid } from './tensor.ts';
import type { Decoder } from './types.ts';

export const ssdCaffe: Decoder = {
  name: 'ssd-caffe',
  doc: 'Caffe SSD DetectionOutput [1,1,N,7]: image_id,label,conf,x1,y1,x2,y2 normalized',
  needsNms: false, // NMS ran in the DetectionOutput layer
  matches(outputs) {
    if (outputs.length !== 1) return false;
    const d = outputs[0]!.dims;
    return d.length === 4 && dimSize(d[1]) === 1 && dimSize(d[3]) === 7;
  },
  decode(outputs, opts) {
    const out = outputs[0];
    if (out?.dims.length !== 4 || out.dims[3] !== 7) {
      throw invalid('ssd-caffe', 'expected one [1,1,N,7] output');
    }
    const d = asFloat32(out);
    const n = out.dims[2]!;
    const w = opts.inputWidth;
    const h = opts.inputHeight;
    const found = new Candidates();
    for (let r = 0, row = 0; r < n; r++, row += 7) {
      if (d[row]! < 0) continue;
      const s = d[row + 2]!;
      if (s < opts.confidence) continue;
      found.push(
        d[row + 3]! * w,
        d[row + 4]! * h,
        d[row + 5]! * w,
        d[row + 6]! * h,
        s,
        Math.round(d[row + 1]!),
      );
    }
    return found.finish(opts.maxDetections);
  },
};
