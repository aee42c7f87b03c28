/**
 * YOLO v3/v5/v7 exports with the box decode inside the graph: one output
 * `[1, N, 5+C]`, rows `cx, cy, w, h, objectness, class scores…`, boxes in input
 * pixels, objectness and class scores already sigmoid-activated. The score of a row
 * is objectness × best class score (one label per box, as detect.py does).
 */
import { Candidates } from './candidates.ts';
import { asFloat32, classCountFromMeta, dimSize, invalid, metaSaysRtDetr } from './tensor.ts';
import type { Decoder } from './types.ts';
import { MAX_END2END_ROWS } from './yolo-end2end.ts';
import { nanodetPlusRows } from './nanodet.ts';
import { yoloFastestRows } from './yolo-fastest.ts';
import { yoloxRows } from './yolox.ts';

export const yoloAnchorBased: Decoder = {
  name: 'yolo-anchor-based',
  doc: 'YOLO v3/v5/v7 [1,N,5+C]: cx,cy,w,h,obj,classes in input pixels',
  needsNms: true, // raw rows: overlapping boxes per object
  matches(outputs, meta, input) {
    const three = outputs.filter((o) => o.dims.length === 3);
    // YOLOv5 exports may also expose the raw 5-D heads next to the decoded output.
    if (three.length !== 1 || outputs.some((o) => o.dims.length !== 3 && o.dims.length !== 5)) {
      return false;
    }
    const [, n, k] = three[0]!.dims.map(dimSize) as [number, number, number];
    // A symbolic N (dynamic export) is the anchor count: always larger than K.
    if (!(k >= 6) || n <= k || metaSaysRtDetr(meta) || /yolox/i.test(meta.description ?? '')) {
      return false;
    }
    // One row per grid cell is YOLOX; YOLOv5 has three anchors per cell.
    // NanoDet-Plus merges its GFL head into one [1, N, C+32] output over strides 8–64,
    // and Yolo-FastestV2 has one row per cell of strides 16 and 32.
    const oneRowPerCell = [yoloxRows, nanodetPlusRows, yoloFastestRows];
    if (input && outputs.length === 1 && oneRowPerCell.some((rows) => n === rows(input))) {
      return false;
    }
    const c = classCountFromMeta(meta);
    if (c !== undefined) return k === 5 + c;
    // [1,N,6] is an end-to-end export (N = max_det, a few hundred) unless N is an
    // anchor count (thousands): then it is a one-class model.
    return k >= 7 || n > MAX_END2END_ROWS;
  },
  decode(outputs, opts) {
    const out = outputs.find((o) => o.dims.length === 3);
    if (!out) throw invalid('yolo-anchor-based', 'expected one [1,N,5+C] output');
    const [, n, k] = out.dims as [number, number, number];
    const c = k - 5;
    if (c < 1 || (opts.numClasses !== undefined && opts.numClasses !== c)) {
      throw invalid(
        'yolo-anchor-based',
        `rows of ${k} values do not hold 5 + ${opts.numClasses ?? 'C'} classes`,
      );
    }
    const d = asFloat32(out);
    const found = new Candidates();
    scanAnchorBased(d, n, k, c, opts.confidence, (row, score, cls) =>
      found.pushCenter(d[row]!, d[row + 1]!, d[row + 2]!, d[row + 3]!, score, cls),
    );
    return found.all();
  },
};

/**
 * The rows of an `[1, n, k]` head (`cx, cy, w, h, objectness`, then `classes`
 * scores; YOLO-seg's mask coefficients may follow) scoring at least
 * `confidence` as objectness × best class: `keep(rowOffset, score, class)` per row.
 */
export function scanAnchorBased(
  d: Float32Array,
  n: number,
  k: number,
  classes: number,
  confidence: number,
  keep: (row: number, score: number, classId: number) => void,
): void {
  for (let r = 0, row = 0; r < n; r++, row += k) {
    const obj = d[row + 4]!;
    // Class scores are ≤ 1, so a row whose objectness misses the threshold cannot pass.
    if (obj < confidence) continue;
    let best = 0;
    let cls = 0;
    for (let j = 0; j < classes; j++) {
      const s = d[row + 5 + j]!;
      if (s > best) {
        best = s;
        cls = j;
      }
    }
    const score = obj * best;
    if (score >= confidence) keep(row, score, cls);
  }
}
