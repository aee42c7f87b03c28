/**
 * NanoDet and its relatives (PicoDet), whose GFL heads predict per cell the
 * class scores and, for each side of the box, a distribution over `reg_max + 1`
 * distance bins: the distance is the softmax expectation of the bin index,
 * times the stride, measured from the cell's point. Two export shapes:
 *
 * - per level (NanoDet, PicoDet): a class output `[1, N, C]` and a distribution
 *   output `[1, N, 4·(reg_max+1)]` for each stride level, often named only by
 *   numbers, so they are paired by N and told apart by width; the cell point is
 *   the centre, `(x + 0.5) · stride`;
 * - merged (NanoDet-Plus): one `[1, N, C + 4·(reg_max+1)]` over strides 8–64
 *   with `reg_max` 7, the point at the cell's corner, `x · stride`.
 *
 * Grids are `ceil(size / stride)` cells per axis. Scores are the graph's
 * sigmoid outputs; an export that left them as logits gets the sigmoid here.
 * NanoDet's training pipeline feeds BGR, normalized with its own mean and std.
 */
import { Candidates } from './candidates.ts';
import { asFloat32, dimSize, invalid, sigmoid } from './tensor.ts';
import type { Decoder, DecodeOptions, InputSize, OutputSignature } from './types.ts';

const LEVEL_STRIDES = [8, 16, 32, 64, 128];
const PLUS_STRIDES = [8, 16, 32, 64];
const PLUS_REG_MAX = 7;

/** Cells of one stride level: `ceil(size / stride)` per axis. */
function cells(input: InputSize, stride: number): number {
  return Math.ceil(input.width / stride) * Math.ceil(input.height / stride);
}

/** Rows of a NanoDet-Plus output at this input size (2125 at 320). */
export function nanodetPlusRows(input: InputSize): number {
  return PLUS_STRIDES.reduce((n, s) => n + cells(input, s), 0);
}

/** One stride level: its class and distribution outputs. */
interface Level<T> {
  readonly stride: number;
  readonly scores: T;
  readonly boxes: T;
}

/**
 * Pairs per-level outputs: every output is `[1, N, K]`, each N appears exactly
 * twice (one class output, one distribution output whose width is a multiple
 * of 4), and each N is the cell count of a stride. Undefined when they are not.
 */
function pairLevels<T extends OutputSignature>(
  outputs: readonly T[],
  input: InputSize,
): Level<T>[] | undefined {
  if (outputs.length < 4 || outputs.length % 2 !== 0) return undefined;
  if (outputs.some((o) => o.dims.length !== 3 || o.dims[0] !== 1)) return undefined;
  const byRows = new Map<number, T[]>();
  for (const o of outputs) {
    const n = dimSize(o.dims[1]);
    byRows.set(n, [...(byRows.get(n) ?? []), o]);
  }
  const levels: Level<T>[] = [];
  for (const [n, pair] of byRows) {
    const stride = LEVEL_STRIDES.find((s) => cells(input, s) === n);
    if (stride === undefined || pair.length !== 2) return undefined;
    const [a, b] = pair as [T, T];
    const [wa, wb] = [dimSize(a.dims[2]), dimSize(b.dims[2])];
    // The distribution is 4 sides × bins; the class output is the other one.
    const aIsBoxes = wa % 4 === 0 && wa / 4 >= 2 && (wb % 4 !== 0 || wa > wb);
    const boxes = aIsBoxes ? a : b;
    const scores = aIsBoxes ? b : a;
    if (dimSize(boxes.dims[2]) % 4 !== 0) return undefined;
    levels.push({ stride, scores, boxes });
  }
  const widths = (pick: (l: Level<T>) => T) => new Set(levels.map((l) => pick(l).dims[2]));
  if (widths((l) => l.scores).size !== 1 || widths((l) => l.boxes).size !== 1) return undefined;
  return levels.sort((x, y) => x.stride - y.stride);
}

export const nanodet: Decoder = {
  name: 'nanodet',
  doc: 'NanoDet / PicoDet GFL heads: per-level [1,N,C] + [1,N,4·(reg_max+1)], or NanoDet-Plus [1,N,C+32]',
  needsNms: true,
  // BGR, mean [103.53, 116.28, 123.675] and std [57.375, 57.12, 58.395] in B, G, R order.
  preprocess: {
    colorOrder: 'BGR',
    scale: 1,
    mean: [123.675, 116.28, 103.53],
    std: [58.395, 57.12, 57.375],
  },
  matches(outputs, _meta, input) {
    if (!input) return false;
    if (pairLevels(outputs, input)) return true;
    if (outputs.length !== 1 || outputs[0]!.dims.length !== 3) return false;
    const [, n, k] = outputs[0]!.dims.map(dimSize) as [number, number, number];
    return n === nanodetPlusRows(input) && k > 4 * (PLUS_REG_MAX + 1);
  },
  decode(outputs, opts) {
    const input = { width: opts.inputWidth, height: opts.inputHeight };
    const found = new Candidates();
    const levels = pairLevels(outputs, input);
    if (levels) {
      for (const level of levels) {
        const classes = dimSize(level.scores.dims[2]);
        const bins = dimSize(level.boxes.dims[2]) / 4;
        decodeLevel(found, opts, input, level.stride, 0.5, {
          scores: asFloat32(level.scores),
          scoreStride: classes,
          boxes: asFloat32(level.boxes),
          boxStride: 4 * bins,
          classes,
          bins,
          offset: 0,
        });
      }
      return found.all();
    }
    const out = outputs.find((o) => o.dims.length === 3);
    if (!out || outputs.length !== 1) {
      throw invalid(
        'nanodet',
        'expected per-level class and distribution outputs, or one merged output',
      );
    }
    const [, n, k] = out.dims as [number, number, number];
    const bins = PLUS_REG_MAX + 1;
    const classes = k - 4 * bins;
    if (n !== nanodetPlusRows(input) || classes < 1) {
      throw invalid(
        'nanodet',
        `${n} rows of ${k} do not fit NanoDet-Plus at ${input.width}×${input.height} (${nanodetPlusRows(input)} rows of C + ${4 * bins})`,
      );
    }
    const d = asFloat32(out);
    let row = 0;
    for (const stride of PLUS_STRIDES) {
      const level = {
        scores: d,
        scoreStride: k,
        boxes: d,
        boxStride: k,
        classes,
        bins,
        offset: row,
      };
      decodeLevel(found, opts, input, stride, 0, level);
      row += cells(input, stride);
    }
    return found.all();
  },
};

interface LevelData {
  readonly scores: Float32Array;
  readonly scoreStride: number;
  /** Distribution values start at `classes` within a merged row, at 0 in their own output. */
  readonly boxes: Float32Array;
  readonly boxStride: number;
  readonly classes: number;
  readonly bins: number;
  /** The level's first row in the arrays. */
  readonly offset: number;
}

function decodeLevel(
  found: Candidates,
  opts: DecodeOptions,
  input: InputSize,
  stride: number,
  pointOffset: number,
  l: LevelData,
): void {
  const gw = Math.ceil(input.width / stride);
  const gh = Math.ceil(input.height / stride);
  const merged = l.scores === l.boxes;
  const logits = !allProbabilities(l, gw * gh);
  const dist = new Float64Array(l.bins);
  for (let cell = 0; cell < gw * gh; cell++) {
    const r = l.offset + cell;
    const s0 = r * l.scoreStride;
    let best = Number.NEGATIVE_INFINITY;
    let cls = 0;
    for (let j = 0; j < l.classes; j++) {
      const v = l.scores[s0 + j]!;
      if (v > best) {
        best = v;
        cls = j;
      }
    }
    const score = logits ? sigmoid(best) : best;
    if (score < opts.confidence) continue;
    const b0 = r * l.boxStride + (merged ? l.classes : 0);
    const px = (cell % gw) + pointOffset;
    const py = Math.floor(cell / gw) + pointOffset;
    const side = (i: number) => expectation(l.boxes, b0 + i * l.bins, dist) * stride;
    found.push(
      px * stride - side(0),
      py * stride - side(1),
      px * stride + side(2),
      py * stride + side(3),
      score,
      cls,
    );
  }
}

/** Whether every class value of the level is already a probability (the graph ran the sigmoid). */
function allProbabilities(l: LevelData, rows: number): boolean {
  for (let r = l.offset; r < l.offset + rows; r++) {
    for (let j = 0; j < l.classes; j++) {
      const v = l.scores[r * l.scoreStride + j]!;
      if (v < 0 || v > 1) return false;
    }
  }
  return true;
}

/** Σ i · softmax(bins)ᵢ over one side's bins, starting at `at`. */
function expectation(values: Float32Array, at: number, scratch: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scratch.length; i++) max = Math.max(max, values[at + i]!);
  let sum = 0;
  for (let i = 0; i < scratch.length; i++) {
    scratch[i] = Math.exp(values[at + i]! - max);
    sum += scratch[i]!;
  }
  let e = 0;
  for (let i = 0; i < scratch.length; i++) e += (i * scratch[i]!) / sum;
  return e;
}
