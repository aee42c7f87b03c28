/**
 * Semantic-segmentation outputs to a class map in the model's output grid:
 * - `[1, C, H, W]` or `[1, H, W, C]` scores per class (logits or
 *   probabilities: argmax either way, since softmax and sigmoid keep the order);
 * - one channel (`C = 1`): a binary model (U-Net person/background): class 1
 *   where the probability exceeds `threshold`, the sigmoid applied to logits;
 * - `[1, H, W]`, `[H, W]` or `[1, 1, H, W]` class ids (integers; an argmax
 *   already inside the graph).
 * The layout of a 4-D output: channels first (NCHW) unless the last dimension
 * is smaller than both others (NHWC, TF exports such as `[1, 513, 513, 21]`).
 */
import { FramewireError } from '../../core/errors.ts';
import { asFloat32, describeOutputs } from '../decoders/tensor.ts';
import type { OutputTensor } from '../decoders/types.ts';

/** A class id per cell of the model's output grid, row-major. */
export interface ModelMap {
  readonly width: number;
  readonly height: number;
  readonly classes: Uint8Array;
  /**
   * The probability of each cell's class, × 255 rounded (absent for class-map
   * outputs, which carry none): the sigmoid of a binary model, the softmax of
   * the winning channel (or the winning value itself, when the output already
   * holds probabilities).
   */
  readonly probabilities?: Uint8Array;
  /** How many classes the output can name (channels, or the largest id + 1 for class maps). */
  readonly numClasses: number;
}

const MAX_CLASSES = 256;

export function decodeSemantic(out: OutputTensor, threshold: number): ModelMap {
  const dims = out.dims;
  if (dims.length === 2 || (dims.length === 3 && dims[0] === 1)) {
    const [height, width] = dims.slice(-2) as [number, number];
    return classMap(out, width, height);
  }
  if (dims.length !== 4 || dims[0] !== 1) {
    throw new FramewireError(
      'MODEL_INVALID',
      `a segmentation output must be [1,C,H,W], [1,H,W,C], [1,H,W] or [H,W]; got ${describeOutputs([out])}`,
      { hint: 'detection models go to `detect`, not `segment`' },
    );
  }
  // Channels last only when the last dimension is smaller than both others.
  const nhwc = dims[3]! < dims[1]! && dims[3]! < dims[2]!;
  const [channels, height, width] = nhwc
    ? [dims[3]!, dims[1]!, dims[2]!]
    : [dims[1]!, dims[2]!, dims[3]!];
  if (channels === 1 && isClassMap(out)) return classMap(out, width, height);
  if (channels > MAX_CLASSES) {
    throw new FramewireError(
      'MODEL_INVALID',
      `segmentation output ${describeOutputs([out])} has ${channels} classes; at most ${MAX_CLASSES} are supported`,
    );
  }
  const v = asFloat32(out);
  const cells = width * height;
  const classes = new Uint8Array(cells);
  if (channels === 1) {
    // Probabilities compare with the threshold itself; logits with its logit.
    const probability = isProbability(v);
    const cut = probability ? threshold : Math.log(threshold / (1 - threshold));
    const probabilities = new Uint8Array(cells);
    for (let i = 0; i < cells; i++) {
      const foreground = v[i]! > cut;
      classes[i] = foreground ? 1 : 0;
      const p = probability ? v[i]! : 1 / (1 + Math.exp(-v[i]!));
      probabilities[i] = Math.round((foreground ? p : 1 - p) * 255);
    }
    return { width, height, classes, probabilities, numClasses: 2 };
  }
  const probability = isProbability(v);
  const probabilities = new Uint8Array(cells);
  for (let i = 0; i < cells; i++) {
    let best = Number.NEGATIVE_INFINITY;
    let arg = 0;
    for (let c = 0; c < channels; c++) {
      const s = nhwc ? v[i * channels + c]! : v[c * cells + i]!;
      if (s > best) {
        best = s;
        arg = c;
      }
    }
    classes[i] = arg;
    let p = best;
    if (!probability) {
      // Softmax of the winner: 1 / Σ exp(s − best), stable for any logits.
      let sum = 0;
      for (let c = 0; c < channels; c++) {
        sum += Math.exp((nhwc ? v[i * channels + c]! : v[c * cells + i]!) - best);
      }
      p = 1 / sum;
    }
    probabilities[i] = Math.round(Math.min(1, Math.max(0, p)) * 255);
  }
  return { width, height, classes, probabilities, numClasses: channels };
}

function classMap(out: OutputTensor, width: number, height: number): ModelMap {
  const v = asFloat32(out);
  const classes = new Uint8Array(width * height);
  let max = 0;
  for (let i = 0; i < classes.length; i++) {
    const id = Math.round(v[i]!);
    if (!(id >= 0 && id < MAX_CLASSES)) {
      throw new FramewireError(
        'MODEL_INVALID',
        `class map ${describeOutputs([out])} holds ${v[i]}, not a class id 0–${MAX_CLASSES - 1}`,
        {
          hint: 'a [1,H,W] output is read as class ids; give a model that outputs them, or per-class scores [1,C,H,W]',
        },
      );
    }
    classes[i] = id;
    if (id > max) max = id;
  }
  return { width, height, classes, numClasses: max + 1 };
}

/** Integer values with one above 1: class ids, not a probability or a logit. */
function isClassMap(out: OutputTensor): boolean {
  if (!(out.data instanceof Float32Array)) return true;
  let above = false;
  for (const x of out.data) {
    if (!Number.isInteger(x)) return false;
    if (x > 1) above = true;
  }
  return above;
}

function isProbability(v: Float32Array): boolean {
  for (const x of v) if (x < 0 || x > 1) return false;
  return true;
}
