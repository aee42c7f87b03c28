/**
 * YOLO v8/v9/v11 exports: one output `[1, 4+C, N]` (channels first), columns
 * `cx, cy, w, h, class scores…` in input pixels, no objectness, scores already
 * sigmoid-activated. The transposed `[1, N, 4+C]` layout is accepted only when the
 * metadata's class count proves it (otherwise it is indistinguishable from v5).
 */
import { Candidates } from './candidates.ts';
import { asFloat32, classCountFromMeta, dimSize, invalid, metaSaysRtDetr } from './tensor.ts';
import type { Decoder } from './types.ts';

export const yoloAnchorFree: Decoder = {
  name: 'yolo-anchor-free',
  doc: 'YOLO v8/v9/v11 [1,4+C,N]: cx,cy,w,h,classes in input pixels, no objectness',
  needsNms: true, // raw rows: overlapping boxes per object
  matches(outputs, meta) {
    if (outputs.length !== 1 || outputs[0]!.dims.length !== 3) return false;
    const [, a, b] = outputs[0]!.dims.map(dimSize) as [number, number, number];
    const c = classCountFromMeta(meta);
    // A symbolic last dimension (dynamic export) is the anchor count.
    if (a < b || (Number.isNaN(b) && a >= 5)) return a >= 5 && (c === undefined || a === 4 + c);
    // Transposed: only with a class count, never for RT-DETR's [1,300,4+C].
    return c !== undefined && b === 4 + c && a > 300 && !metaSaysRtDetr(meta);
  },
  decode(outputs, opts) {
    const out = outputs.find((o) => o.dims.length === 3);
    if (!out) throw invalid('yolo-anchor-free', 'expected one [1,4+C,N] output');
    const [, a, b] = out.dims as [number, number, number];
    const channelsFirst = opts.numClasses !== undefined ? a === 4 + opts.numClasses : a < b;
    const k = channelsFirst ? a : b;
    const n = channelsFirst ? b : a;
    const c = k - 4;
    if (c < 1 || (opts.numClasses !== undefined && opts.numClasses !== c)) {
      throw invalid(
        'yolo-anchor-free',
        `[${out.dims}] does not hold 4 + ${opts.numClasses ?? 'C'} channels`,
      );
    }
    const found = new Candidates();
    const d = asFloat32(out);
    scanAnchorFree(d, channelsFirst, n, k, c, opts.confidence, (o, stride, score, cls) =>
      found.pushCenter(d[o]!, d[o + stride]!, d[o + 2 * stride]!, d[o + 3 * stride]!, score, cls),
    );
    return found.all();
  },
};

/**
 * The anchors of a `[1, k, n]` (channels first) or `[1, n, k]` head whose channels
 * start `cx, cy, w, h` and then `classes` scores (YOLO-seg's 32 mask coefficients
 * may follow), scoring at least `confidence`: `keep(offset, stride, score, class)`
 * per such anchor, where channel `j` of that anchor is `d[offset + j * stride]`.
 */
export function scanAnchorFree(
  d: Float32Array,
  channelsFirst: boolean,
  n: number,
  k: number,
  classes: number,
  confidence: number,
  keep: (offset: number, stride: number, score: number, classId: number) => void,
): void {
  // Element (channel j, anchor i) is d[j * cs + i * as] in either layout.
  const cs = channelsFirst ? n : 1;
  const as = channelsFirst ? 1 : k;
  // Best class per anchor. Channel-major, so the common (channels-first) layout is
  // read in memory order; this loop is nearly all of the decode time.
  const best = new Float32Array(n);
  const cls = new Int32Array(n);
  for (let j = 0; j < classes; j++) {
    const base = (4 + j) * cs;
    for (let i = 0; i < n; i++) {
      const s = d[base + i * as]!;
      if (s > best[i]!) {
        best[i] = s;
        cls[i] = j;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const score = best[i]!;
    if (score < confidence || score <= 0) continue;
    keep(i * as, cs, score, cls[i]!);
  }
}
