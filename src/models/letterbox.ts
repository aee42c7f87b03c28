import type { GeometryTransform } from '../core/frame.ts';
import type { InstanceMask } from '../core/masks.ts';
import type { RawMasks } from './decoders/types.ts';
import { composeTransform, place } from '../core/geometry.ts';

/** How a frame is fitted into the model's fixed input size. */
export type ResizeMode = 'letterbox' | 'stretch';

/**
 * Where a letterbox puts the content: centred (Ultralytics, most YOLOs), or in
 * the top-left corner with all the padding right and below (YOLOX's own
 * preprocessing, whose decoded grid assumes it).
 */
export type PadMode = 'center' | 'top-left';

/**
 * Where a frame's content lands inside the model input: the content rectangle
 * (integers; outside it the pad value stays) and the scale that maps frame pixels
 * onto it (`model = frame × scale + offset`).
 */
export interface Letterbox {
  /** The model input size. */
  readonly width: number;
  readonly height: number;
  readonly scaleX: number;
  readonly scaleY: number;
  readonly contentX: number;
  readonly contentY: number;
  readonly contentWidth: number;
  readonly contentHeight: number;
}

/**
 * Fits a `srcW × srcH` frame into `dstW × dstH`: `letterbox` keeps the aspect
 * ratio and centres the content (the odd padding pixel goes right/bottom, as in
 * Ultralytics) or puts it top-left (`pad`), `stretch` scales each axis on its own. Same geometry as the
 * `resize` stage (`core/geometry.ts`), so the two agree to the pixel.
 */
export function computeLetterbox(
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  mode: ResizeMode,
  pad: PadMode = 'center',
): Letterbox {
  const p = place(srcW, srcH, dstW, dstH, mode);
  const corner = pad === 'top-left';
  return {
    width: dstW,
    height: dstH,
    scaleX: p.scaleX,
    scaleY: p.scaleY,
    contentX: corner ? 0 : p.offsetX,
    contentY: corner ? 0 : p.offsetY,
    contentWidth: p.width,
    contentHeight: p.height,
  };
}

/**
 * The transform from model-input pixels back to SOURCE pixels for a frame whose
 * own transform (set by `resize`, if any) is `frameTransform`.
 */
export function modelToSource(
  lb: Letterbox,
  frameWidth: number,
  frameHeight: number,
  frameTransform: GeometryTransform | undefined,
): GeometryTransform {
  const placement = {
    scaleX: lb.scaleX,
    scaleY: lb.scaleY,
    offsetX: lb.contentX,
    offsetY: lb.contentY,
    width: lb.contentWidth,
    height: lb.contentHeight,
  };
  return composeTransform(frameTransform, placement, frameWidth, frameHeight);
}

/**
 * THE place where boxes leave model-input coordinates: maps `[x1,y1,x2,y2]`
 * quadruples in place to source-frame pixels and clips them to the source frame.
 */
export function boxesToSource(boxes: Float32Array, t: GeometryTransform): Float32Array {
  const { scaleX, scaleY, offsetX, offsetY, sourceWidth: w, sourceHeight: h } = t;
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = clamp((boxes[i]! - offsetX) / scaleX, w);
    boxes[i + 1] = clamp((boxes[i + 1]! - offsetY) / scaleY, h);
    boxes[i + 2] = clamp((boxes[i + 2]! - offsetX) / scaleX, w);
    boxes[i + 3] = clamp((boxes[i + 3]! - offsetY) / scaleY, h);
  }
  return boxes;
}

function clamp(v: number, max: number): number {
  return Math.min(Math.max(v, 0), max);
}

/**
 * THE place where masks leave model space, beside `boxesToSource`: each
 * detection's mask becomes a bitmap of the source pixels inside its box (a
 * pixel belongs to the object when the mask, sampled bilinearly at the
 * pixel's centre, reaches `threshold`). `modelBoxes` are the boxes still in
 * model-input pixels, before `boxesToSource` clipped them: a Mask R-CNN mask
 * spans the whole box, also where the box leaves the frame.
 */
export function masksToSource(
  masks: RawMasks,
  modelBoxes: Float32Array,
  input: { width: number; height: number },
  t: GeometryTransform,
  threshold: number,
): InstanceMask[] {
  const out: InstanceMask[] = [];
  const { scaleX, scaleY, offsetX, offsetY, sourceWidth, sourceHeight } = t;
  // Prototype masks are thresholded as logits: sigmoid(v) ≥ t ⇔ v ≥ logit(t).
  const cut = masks.kind === 'prototypes' ? Math.log(threshold / (1 - threshold)) : threshold;
  for (let i = 0; i < modelBoxes.length / 4; i++) {
    const box = [
      modelBoxes[4 * i]!,
      modelBoxes[4 * i + 1]!,
      modelBoxes[4 * i + 2]!,
      modelBoxes[4 * i + 3]!,
    ] as const;
    // Source pixels whose centres lie inside the box.
    const x0 = Math.max(0, Math.ceil((box[0] - offsetX) / scaleX - 0.5));
    const y0 = Math.max(0, Math.ceil((box[1] - offsetY) / scaleY - 0.5));
    const x1 = Math.min(sourceWidth, Math.ceil((box[2] - offsetX) / scaleX - 0.5));
    const y1 = Math.min(sourceHeight, Math.ceil((box[3] - offsetY) / scaleY - 0.5));
    const width = Math.max(0, x1 - x0);
    const height = Math.max(0, y1 - y0);
    const data = new Uint8Array(width * height);
    const g = maskGrid(masks, i, input, box);
    // Bilinear taps per column and per row, computed once: sampling is separable.
    const cols = taps(width, g.width, (c) => ((x0 + c + 0.5) * scaleX + offsetX) * g.sx + g.ox);
    const rows = taps(height, g.height, (r) => ((y0 + r + 0.5) * scaleY + offsetY) * g.sy + g.oy);
    const grid = g.values;
    const gw = g.width;
    for (let r = 0; r < height; r++) {
      const top = rows.i0[r]! * gw;
      const bottom = rows.i1[r]! * gw;
      const fv = rows.w[r]!;
      for (let c = 0; c < width; c++) {
        const a = cols.i0[c]!;
        const b = cols.i1[c]!;
        const fu = cols.w[c]!;
        const upper = grid[top + a]! + (grid[top + b]! - grid[top + a]!) * fu;
        const lower = grid[bottom + a]! + (grid[bottom + b]! - grid[bottom + a]!) * fu;
        if (upper + (lower - upper) * fv >= cut) data[r * width + c] = 1;
      }
    }
    out.push({ x: x0, y: y0, width, height, data });
  }
  return out;
}

/**
 * Detection `i`'s mask values as a grid, and how model-input pixels map onto
 * it: cell coordinate = model × s + o (cell centres at integers).
 */
function maskGrid(
  masks: RawMasks,
  i: number,
  input: { width: number; height: number },
  box: readonly [number, number, number, number],
): {
  values: Float32Array;
  width: number;
  height: number;
  sx: number;
  sy: number;
  ox: number;
  oy: number;
} {
  const { width: gw, height: gh } = masks;
  if (masks.kind === 'box') {
    const [bx1, by1, bx2, by2] = box;
    const sx = gw / Math.max(bx2 - bx1, 1e-6);
    const sy = gh / Math.max(by2 - by1, 1e-6);
    return {
      values: masks.probabilities.subarray(i * gw * gh, (i + 1) * gw * gh),
      width: gw,
      height: gh,
      sx,
      sy,
      ox: -bx1 * sx - 0.5,
      oy: -by1 * sy - 0.5,
    };
  }
  // Logits of this detection's mask, computed once, only over the grid cells
  // the box's samples can reach (one cell of margin for the bilinear taps):
  // a 20-object frame then costs its objects' area, not 20 full grids.
  const { channels, coefficients, protos } = masks;
  const sx = gw / input.width;
  const sy = gh / input.height;
  const u0 = Math.min(gw - 1, Math.max(0, Math.floor(box[0] * sx - 0.5)));
  const v0 = Math.min(gh - 1, Math.max(0, Math.floor(box[1] * sy - 0.5)));
  const u1 = Math.min(gw, Math.ceil(box[2] * sx + 0.5) + 1);
  const v1 = Math.min(gh, Math.ceil(box[3] * sy + 0.5) + 1);
  const rw = Math.max(1, u1 - u0);
  const rh = Math.max(1, v1 - v0);
  const values = new Float32Array(rw * rh);
  const cells = gw * gh;
  for (let k = 0; k < channels; k++) {
    const w = coefficients[i * channels + k]!;
    if (w === 0) continue;
    const plane = k * cells;
    for (let v = 0; v < rh; v++) {
      const from = plane + (v0 + v) * gw + u0;
      const to = v * rw;
      for (let u = 0; u < rw; u++) values[to + u]! += w * protos[from + u]!;
    }
  }
  // Clamping at the region's edge equals clamping at the grid's: the samples
  // inside the box never reach past the margin, except at the grid's own edges.
  return { values, width: rw, height: rh, sx, sy, ox: -0.5 - u0, oy: -0.5 - v0 };
}

/** For `n` samples at cell coordinates `at(k)`: the two cells each blends and the weight of the second, edges clamped. */
function taps(
  n: number,
  cells: number,
  at: (k: number) => number,
): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const w = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const u = Math.min(Math.max(at(k), 0), cells - 1);
    const f = Math.floor(u);
    i0[k] = f;
    i1[k] = Math.min(f + 1, cells - 1);
    w[k] = u - f;
  }
  return { i0, i1, w };
}
