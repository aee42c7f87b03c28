/**
 * CenterNet heads in NHWC (the embedded MobileNetV3 CenterNet): `heatmap
 * [1,H,W,C]` with sigmoid applied, and `wh [1,H,W,4]` holding left, top, right,
 * bottom distances in input pixels from the cell's anchor point `(s·x, s·y)`,
 * where the stride `s = input / H` (4 for the 512→128 default model).
 *
 * A detection is a heatmap peak: a cell at least as large as every neighbour of its
 * 3×3 window in the same class (the max-pool-equality trick of the paper) and at
 * least `confidence`; the 100 best (or `maxDetections` if fewer) are kept. Peaks are
 * candidates: the detector's box NMS runs on them once, as in the model's reference
 * code. The scan allocates nothing per cell: most cells fail the threshold test, and
 * eight of them cost one branch on integer comparisons.
 */
import { Candidates } from './candidates.ts';
import { TopK } from './top-k.ts';
import { asFloat32, byName, dimSize, invalid } from './tensor.ts';
import type { Decoder, OutputSignature } from './types.ts';

const HEATMAP_NAMES = ['keypoints', 'heatmap', 'heatmaps', 'hm'];
const TOP_K = 100;

/** The heatmap and wh outputs: by name, else the 4-D pair told apart by their channel count. */
function pick<T extends OutputSignature>(outputs: readonly T[]): { heat: T; wh: T } | undefined {
  const four = outputs.filter((o) => o.dims.length === 4);
  const wh = byName(four, 'wh') ?? four.find((o) => dimSize(o.dims[3]) === 4);
  const heat =
    byName(four, ...HEATMAP_NAMES) ?? four.find((o) => o !== wh && dimSize(o.dims[3]) !== 4);
  if (!wh || !heat || heat === wh) return undefined;
  const same =
    dimSize(heat.dims[1]) === dimSize(wh.dims[1]) && dimSize(heat.dims[2]) === dimSize(wh.dims[2]);
  return same && dimSize(wh.dims[3]) === 4 ? { heat, wh } : undefined;
}

export const centernet: Decoder = {
  name: 'centernet',
  doc: 'CenterNet NHWC heads: heatmap [1,H,W,C] (sigmoid) + wh [1,H,W,4] ltrb pixels',
  // Peaks can still be near-duplicates (adjacent cells, one object): the model's
  // reference code (@vladmandic/human) runs box NMS on them, and so does the detector.
  needsNms: true,
  matches(outputs) {
    return pick(outputs) !== undefined;
  },
  decode(outputs, opts) {
    const heads = pick(outputs);
    if (!heads) throw invalid('centernet', 'expected heatmap [1,H,W,C] and wh [1,H,W,4] outputs');
    const [, h, w, c] = heads.heat.dims as [number, number, number, number];
    if (opts.numClasses !== undefined && opts.numClasses !== c) {
      throw invalid(
        'centernet',
        `heatmap has ${c} classes, the descriptor says ${opts.numClasses}`,
      );
    }
    const heat = asFloat32(heads.heat);
    const wh = asFloat32(heads.wh);
    const top = findPeaks(heat, h, w, c, opts.confidence, Math.min(TOP_K, opts.maxDetections));
    const sx = opts.inputWidth / w;
    const sy = opts.inputHeight / h;
    const found = new Candidates(top.size);
    for (const pos of top.order()) {
      const flat = top.indices[pos]!;
      const cls = flat % c;
      const cell = (flat - cls) / c;
      const x = cell % w;
      const y = (cell - x) / w;
      const px = x * sx;
      const py = y * sy;
      const o = cell * 4;
      found.push(
        px - wh[o]!,
        py - wh[o + 1]!,
        px + wh[o + 2]!,
        py + wh[o + 3]!,
        top.scores[pos]!,
        cls,
      );
    }
    return found.finish(opts.maxDetections);
  },
};

/** The k best 3×3 peaks at or above `confidence`, as flat NHWC indices. */
export function findPeaks(
  heat: Float32Array,
  h: number,
  w: number,
  c: number,
  confidence: number,
  k: number,
): TopK {
  const top = new TopK(Math.max(0, k));
  const n = h * w * c;
  // Almost every cell fails the threshold, so rejecting it is the whole cost. The
  // float bits, read as unsigned integers, order like the floats for non-negative
  // values, and an integer compare is cheaper than a float one; eight at a time,
  // one branch. Negative values and NaN have large unsigned bits, so they are never
  // rejected here and get the exact test like everything that passes.
  const bits = new Uint32Array(heat.buffer, heat.byteOffset, heat.length);
  const floor = rejectBelow(confidence);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    if (
      bits[i]! < floor &&
      bits[i + 1]! < floor &&
      bits[i + 2]! < floor &&
      bits[i + 3]! < floor &&
      bits[i + 4]! < floor &&
      bits[i + 5]! < floor &&
      bits[i + 6]! < floor &&
      bits[i + 7]! < floor
    ) {
      continue;
    }
    for (let j = i; j < i + 8; j++) offerIfPeak(heat, j, h, w, c, confidence, top);
  }
  for (; i < n; i++) offerIfPeak(heat, i, h, w, c, confidence, top);
  return top;
}

/**
 * The float bits below which a value is certainly under `confidence`: those of the
 * largest float32 not above it (0, rejecting nothing, when `confidence` is not
 * positive).
 */
function rejectBelow(confidence: number): number {
  if (!(confidence > 0)) return 0;
  const f = Math.fround(confidence);
  const b = new Uint32Array(Float32Array.of(f).buffer)[0]!;
  return f > confidence ? b - 1 : b;
}

/** The exact test of one value: threshold, room in the top-k, then its 3×3 window. */
function offerIfPeak(
  heat: Float32Array,
  i: number,
  h: number,
  w: number,
  c: number,
  confidence: number,
  top: TopK,
): void {
  const v = heat[i]!;
  if (v < confidence || !top.accepts(v)) return;
  const row = w * c;
  const cell = (i / c) | 0;
  const y = (cell / w) | 0;
  const x = cell - y * w;
  // Neighbours in the same class, clipped at the borders (like SAME max-pooling).
  const y0 = y > 0 ? -row : 0;
  const y1 = y < h - 1 ? row : 0;
  const x0 = x > 0 ? -c : 0;
  const x1 = x < w - 1 ? c : 0;
  for (let dy = y0; dy <= y1; dy += row) {
    for (let dx = x0; dx <= x1; dx += c) {
      if (heat[i + dy + dx]! > v) return;
    }
  }
  top.offer(v, i);
}
