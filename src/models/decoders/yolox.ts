/**
 * YOLOX exports: one output `[1, N, 5+C]`, one row per grid cell over the
 * stride levels (8, 16, 32 by default), each level row-major over its grid.
 * Exported raw (`decode_in_inference=False`), the box columns are grid offsets:
 * centre `(tx + x) · stride`, size `exp(tw) · stride`; decoded in the graph, they
 * are already input pixels. Objectness and class scores are sigmoid-activated
 * either way.
 *
 * Its layout is YOLOv5's, but YOLOv5 has three anchors per cell: N equal to the
 * number of grid cells for the model's input size (8400 at 640, 3549 at 416) is
 * YOLOX's signature, as is metadata mentioning YOLOX. Its own preprocessing pads
 * at the top-left and feeds raw 0–255 BGR pixels; those become the defaults.
 */
import { Candidates } from './candidates.ts';
import { asFloat32, dimSize, invalid, metaSaysRtDetr } from './tensor.ts';
import type { Decoder, InputSize } from './types.ts';

const STRIDES = [8, 16, 32];

/** Rows of a YOLOX head at this input size: one per grid cell of every stride level. */
export function yoloxRows(input: InputSize, strides: readonly number[] = STRIDES): number {
  return strides.reduce(
    (sum, s) => sum + Math.floor(input.width / s) * Math.floor(input.height / s),
    0,
  );
}

/**
 * Raw grid offsets stay within a few cells of their own (|tx| ≲ 3), while the
 * centres of an output decoded in the graph span the input: any centre beyond
 * this many units means pixels.
 */
const RAW_OFFSET_LIMIT = 16;

export const yolox: Decoder = {
  name: 'yolox',
  doc: 'YOLOX [1,N,5+C] with N = grid cells (8400 at 640): raw grid offsets or pixels',
  needsNms: true, // one row per cell: overlapping boxes per object
  preprocess: { pad: 'top-left', scale: 1, colorOrder: 'BGR' },
  matches(outputs, meta, input) {
    if (outputs.length !== 1 || outputs[0]!.dims.length !== 3) return false;
    if (/yolox/i.test(meta.description ?? '')) return true;
    const [, n, k] = outputs[0]!.dims.map(dimSize) as [number, number, number];
    return input !== undefined && k >= 6 && !metaSaysRtDetr(meta) && n === yoloxRows(input);
  },
  decode(outputs, opts) {
    const out = outputs.find((o) => o.dims.length === 3);
    if (!out) throw invalid('yolox', 'expected one [1,N,5+C] output');
    const [, n, k] = out.dims as [number, number, number];
    const c = k - 5;
    const strides = opts.strides ?? STRIDES;
    const input = { width: opts.inputWidth, height: opts.inputHeight };
    const expected = yoloxRows(input, strides);
    if (expected !== n || c < 1) {
      throw invalid(
        'yolox',
        `${n} rows of ${k} do not fit strides ${strides} at ${opts.inputWidth}×${opts.inputHeight} (${expected} rows)`,
      );
    }
    const d = asFloat32(out);
    const inPixels = decodedInGraph(d, n, k);
    const found = new Candidates();
    let row = 0;
    for (const stride of strides) {
      const gw = Math.floor(opts.inputWidth / stride);
      const gh = Math.floor(opts.inputHeight / stride);
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
          if (inPixels) {
            found.pushCenter(d[row]!, d[row + 1]!, d[row + 2]!, d[row + 3]!, score, cls);
          } else {
            found.pushCenter(
              (d[row]! + x) * stride,
              (d[row + 1]! + y) * stride,
              Math.exp(d[row + 2]!) * stride,
              Math.exp(d[row + 3]!) * stride,
              score,
              cls,
            );
          }
        }
      }
    }
    return found.all();
  },
};

/** Whether the box columns already hold input pixels (the export ran YOLOX's decode). */
function decodedInGraph(d: Float32Array, n: number, k: number): boolean {
  for (let r = 0, row = 0; r < n; r++, row += k) {
    if (Math.abs(d[row]!) > RAW_OFFSET_LIMIT || Math.abs(d[row + 1]!) > RAW_OFFSET_LIMIT) {
      return true;
    }
  }
  return false;
}
