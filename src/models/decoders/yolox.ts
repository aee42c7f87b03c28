/**
 * YOLOX exports (`decode_in_inference=False`): one output `[1, N, 5+C]` whose box
 * columns are grid offsets, not pixels. Rows run over the stride levels (8, 16, 32
 * by default), each level row-major over its grid: centre `(tx + x) · stride`, size
 * `exp(tw) · stride`. Objectness and class scores are already sigmoid-activated.
 * Its layout is identical to YOLOv5's, so it is chosen by `decoder: yolox` (or
 * metadata mentioning YOLOX), never guessed from shapes.
 */
import { Candidates } from './candidates.ts';
import { asFloat32, invalid } from './tensor.ts';
import type { Decoder } from './types.ts';

export const yolox: Decoder = {
  name: 'yolox',
  doc: 'YOLOX [1,N,5+C] grid outputs (select with decoder: yolox)',
  needsNms: true, // raw rows: overlapping boxes per object
  matches(outputs, meta) {
    return (
      /yolox/i.test(meta.description ?? '') && outputs.length === 1 && outputs[0]!.dims.length === 3
    );
  },
  decode(outputs, opts) {
    const out = outputs.find((o) => o.dims.length === 3);
    if (!out) throw invalid('yolox', 'expected one [1,N,5+C] output');
    const [, n, k] = out.dims as [number, number, number];
    const c = k - 5;
    const strides = opts.strides ?? [8, 16, 32];
    const grids = strides.map(
      (s) => [Math.floor(opts.inputWidth / s), Math.floor(opts.inputHeight / s)] as const,
    );
    const expected = grids.reduce((sum, [gw, gh]) => sum + gw * gh, 0);
    if (expected !== n || c < 1) {
      throw invalid(
        'yolox',
        `${n} rows of ${k} do not fit strides ${strides} at ${opts.inputWidth}×${opts.inputHeight} (${expected} rows)`,
      );
    }
    const d = asFloat32(out);
    const found = new Candidates();
    let row = 0;
    strides.forEach((stride, level) => {
      const [gw, gh] = grids[level]!;
      for (let y = 0; y < gh; y++) {
        for (let x = 0; x < gw; x++, row += k) {
          const obj = d[row + 4]!;
          if (obj < opts.confidence) continue;
          let best = 0;
          let cls = 0;
          for (let j = 0; j < c; j++) {
            const s = d[row + 5 + j]!;
            if (s > best) {
              best = s;
              cls = j;
            }
          }
          const score = obj * best;
          if (score < opts.confidence) continue;
          const cx = (d[row]! + x) * stride;
          const cy = (d[row + 1]! + y) * stride;
          found.pushCenter(
            cx,
            cy,
            Math.exp(d[row + 2]!) * stride,
            Math.exp(d[row + 3]!) * stride,
            score,
            cls,
          );
        }
      }
    });
    return found.all();
  },
};
