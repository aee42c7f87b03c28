/**
 * Raw darknet-style YOLOv3 heads (no decode in the graph): one output per stride
 * level, `[1, A*(5+C), H, W]`, channels `tx, ty, tw, th, obj, classes…` per anchor.
 * Decoding follows the YOLOv3 paper: centre `(σ(tx) + x) · stride`, size
 * `exp(tw) · anchor`, score `σ(obj) · σ(class)`.
 *
 * Levels are ordered by stride (finest grid first); `anchors[i]` and `strides[i]`
 * describe level i in that order. Without `anchors`, the published YOLOv3 COCO
 * anchors (3 levels) or YOLOv3-tiny anchors (2 levels) are used.
 */
import { Candidates } from './candidates.ts';
import { asFloat32, dimSize, invalid, sigmoid } from './tensor.ts';
import type { Decoder, OutputTensor } from './types.ts';

/** YOLOv3 (416×416 COCO) anchors, per level from stride 8 to 32, as (w, h) pairs. */
const YOLOV3_ANCHORS = [
  [10, 13, 16, 30, 33, 23],
  [30, 61, 62, 45, 59, 119],
  [116, 90, 156, 198, 373, 326],
];
/** YOLOv3-tiny anchors, strides 16 and 32. */
const YOLOV3_TINY_ANCHORS = [
  [10, 14, 23, 27, 37, 58],
  [81, 82, 135, 169, 344, 319],
];

export const yoloDarknet: Decoder = {
  name: 'yolo-darknet',
  doc: 'raw YOLOv3 heads [1,A*(5+C),H,W] per stride, decoded with anchors',
  needsNms: true, // raw heads: overlapping boxes per object
  matches(outputs) {
    if (outputs.length < 2 || outputs.some((o) => o.dims.length !== 4)) return false;
    const channels = outputs.map((o) => dimSize(o.dims[1]));
    const heights = outputs.map((o) => dimSize(o.dims[2]));
    const ch = channels[0]!;
    return (
      channels.every((c) => c === ch) &&
      ch % 3 === 0 &&
      ch / 3 >= 6 &&
      new Set(heights).size === heights.length &&
      heights.every((h) => h > 0)
    );
  },
  decode(outputs, opts) {
    const levels = outputs
      .filter((o) => o.dims.length === 4)
      .sort((p, q) => q.dims[2]! - p.dims[2]!);
    const anchors =
      opts.anchors ??
      (levels.length === 3
        ? YOLOV3_ANCHORS
        : levels.length === 2
          ? YOLOV3_TINY_ANCHORS
          : undefined);
    if (!anchors || anchors.length !== levels.length) {
      throw invalid(
        'yolo-darknet',
        `${levels.length} output levels need \`anchors\` with one list per level`,
      );
    }
    const found = new Candidates();
    levels.forEach((level, i) => {
      const stride = opts.strides?.[i] ?? opts.inputHeight / level.dims[2]!;
      decodeLevel(level, anchors[i]!, stride, opts.confidence, opts.numClasses, found);
    });
    return found.all();
  },
};

function decodeLevel(
  level: OutputTensor,
  anchors: readonly number[],
  stride: number,
  confidence: number,
  numClasses: number | undefined,
  found: Candidates,
): void {
  const [, channels, h, w] = level.dims as [number, number, number, number];
  const a = anchors.length / 2;
  const per = channels / a;
  const c = per - 5;
  if (!Number.isInteger(per) || c < 1 || (numClasses !== undefined && numClasses !== c)) {
    throw invalid(
      'yolo-darknet',
      `${channels} channels do not split into ${a} anchors × (5 + classes)`,
    );
  }
  const d = asFloat32(level);
  const plane = h * w;
  for (let k = 0; k < a; k++) {
    const base = k * per * plane;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const cell = base + y * w + x;
        const obj = sigmoid(d[cell + 4 * plane]!);
        if (obj < confidence) continue;
        let best = Number.NEGATIVE_INFINITY;
        let cls = 0;
        for (let j = 0; j < c; j++) {
          const v = d[cell + (5 + j) * plane]!;
          if (v > best) {
            best = v;
            cls = j;
          }
        }
        // σ is monotonic: take the best logit first, activate once.
        const score = obj * sigmoid(best);
        if (score < confidence) continue;
        const cx = (sigmoid(d[cell]!) + x) * stride;
        const cy = (sigmoid(d[cell + plane]!) + y) * stride;
        const bw = Math.exp(d[cell + 2 * plane]!) * anchors[k * 2]!;
        const bh = Math.exp(d[cell + 3 * plane]!) * anchors[k * 2 + 1]!;
        found.pushCenter(cx, cy, bw, bh, score, cls);
      }
    }
  }
}
