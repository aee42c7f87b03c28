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
    const d = asFloat32(out);
    // Element (channel j, anchor i) is d[j * cs + i * as] in either layout.
    const cs = channelsFirst ? n : 1;
    const as = channelsFirst ? 1 : k;
    // Best class per anchor. Channel-major, so the common (channels-first) layout is
    // read in memory order; this loop is nearly all of the decode time.
    const best = new Float32Array(n);
    const cls = new Int32Array(n);
    for (let j = 0; j < c; j++) {
      const base = (4 + j) * cs;
      for (let i = 0; i < n; i++) {
        const s = d[base + i * as]!;
        if (s > best[i]!) {
          best[i] = s;
          cls[i] = j;
        }
      }
    }
    const found = new Candidates();
    for (let i = 0; i < n; i++) {
      const score = best[i]!;
      if (score < opts.confidence || score <= 0) continue;
      const o = i * as;
      found.pushCenter(d[o]!, d[o + cs]!, d[o + 2 * cs]!, d[o + 3 * cs]!, score, cls[i]!);
    }
    return found.all();
  },
};
