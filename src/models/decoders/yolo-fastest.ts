/**
 * Yolo-FastestV2 heads: two stride levels (16 and 32) concatenated into one
 * output of one row per grid cell, `[N, 3·5 + C]` (often without a batch
 * dimension): three anchors' boxes (4 values each), their three objectness
 * values, then class scores shared by the three, all sigmoid-activated. For
 * anchor a of a cell (x, y): centre `((t·2 − 0.5) + x) · stride`, size
 * `(t·2)² · anchor`, score objectness × class score. The first level uses the
 * first three anchors. Input: stretched, BGR, 0–1.
 */
import { Candidates } from './candidates.ts';
import { asFloat32, dimSize, invalid } from './tensor.ts';
import type { Decoder, InputSize } from './types.ts';

const STRIDES = [16, 32];
const ANCHORS_PER_CELL = 3;
/** The COCO anchors (w, h in input pixels) of Yolo-FastestV2's published configuration. */
const COCO_ANCHORS = [
  [12.64, 19.39, 37.88, 51.48, 55.71, 138.31],
  [126.91, 78.23, 131.57, 214.55, 279.92, 258.87],
];

/** Rows of the concatenated head at this input size (605 at 352: 22² + 11²). */
export function yoloFastestRows(input: InputSize, strides: readonly number[] = STRIDES): number {
  return strides.reduce(
    (n, s) => n + Math.floor(input.width / s) * Math.floor(input.height / s),
    0,
  );
}

export const yoloFastest: Decoder = {
  name: 'yolo-fastest',
  doc: 'Yolo-FastestV2 [N,15+C] (batch optional): 3 anchors per cell at strides 16 and 32',
  needsNms: true,
  preprocess: { colorOrder: 'BGR' },
  matches(outputs, _meta, input) {
    if (!input || outputs.length !== 1 || outputs[0]!.dims.length !== 3) return false;
    const [, n, k] = outputs[0]!.dims.map(dimSize) as [number, number, number];
    return n === yoloFastestRows(input) && k > 5 * ANCHORS_PER_CELL;
  },
  decode(outputs, opts) {
    const out = outputs.find((o) => o.dims.length === 3);
    if (!out) throw invalid('yolo-fastest', 'expected one [N,15+C] output');
    const [, n, k] = out.dims as [number, number, number];
    const strides = opts.strides ?? STRIDES;
    const anchors = opts.anchors ?? COCO_ANCHORS;
    const input = { width: opts.inputWidth, height: opts.inputHeight };
    const classes = k - 5 * ANCHORS_PER_CELL;
    if (n !== yoloFastestRows(input, strides) || classes < 1) {
      throw invalid(
        'yolo-fastest',
        `${n} rows of ${k} do not fit strides ${strides} at ${input.width}×${input.height} (${yoloFastestRows(input, strides)} rows)`,
      );
    }
    if (
      anchors.length !== strides.length ||
      anchors.some((a) => a.length !== 2 * ANCHORS_PER_CELL)
    ) {
      throw invalid(
        'yolo-fastest',
        `needs ${ANCHORS_PER_CELL} anchors (w, h) per level for ${strides.length} levels`,
      );
    }
    const d = asFloat32(out);
    const found = new Candidates();
    let row = 0;
    strides.forEach((stride, level) => {
      const gw = Math.floor(input.width / stride);
      const gh = Math.floor(input.height / stride);
      const levelAnchors = anchors[level]!;
      for (let y = 0; y < gh; y++) {
        for (let x = 0; x < gw; x++, row++) {
          const r = row * k;
          let best = 0;
          let cls = 0;
          for (let j = 0; j < classes; j++) {
            const s = d[r + 5 * ANCHORS_PER_CELL + j]!;
            if (s > best) {
              best = s;
              cls = j;
            }
          }
          for (let a = 0; a < ANCHORS_PER_CELL; a++) {
            const score = d[r + 4 * ANCHORS_PER_CELL + a]! * best;
            if (score < opts.confidence) continue;
            const b = r + 4 * a;
            found.pushCenter(
              (d[b]! * 2 - 0.5 + x) * stride,
              (d[b + 1]! * 2 - 0.5 + y) * stride,
              (d[b + 2]! * 2) ** 2 * levelAnchors[2 * a]!,
              (d[b + 3]! * 2) ** 2 * levelAnchors[2 * a + 1]!,
              score,
              cls,
            );
          }
        }
      }
    });
    return found.all();
  },
};
