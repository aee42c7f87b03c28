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
    const mx1 = modelBoxes[4 * i]!;
    const my1 = modelBoxes[4 * i + 1]!;
    const mx2 = modelBoxes[4 * i + 2]!;
    const my2 = modelBoxes[4 * i + 3]!;
    // Source pixels whose centres lie inside the box.
    const x0 = Math.max(0, Math.ceil((mx1 - offsetX) / scaleX - 0.5));
    const y0 = Math.max(0, Math.ceil((my1 - offsetY) / scaleY - 0.5));
    const x1 = Math.min(sourceWidth, Math.ceil((mx2 - offsetX) / scaleX - 0.5));
    const y1 = Math.min(sourceHeight, Math.ceil((my2 - offsetY) / scaleY - 0.5));
    const width = Math.max(0, x1 - x0);
    const height = Math.max(0, y1 - y0);
    const data = new Uint8Array(width * height);
    const sample = maskSampler(masks, i, input, [mx1, my1, mx2, my2]);
    for (let r = 0; r < height; r++) {
      const my = (y0 + r + 0.5) * scaleY + offsetY;
      for (let c = 0; c < width; c++) {
        const mx = (x0 + c + 0.5) * scaleX + offsetX;
        if (sample(mx, my) >= cut) data[r * width + c] = 1;
      }
    }
    out.push({ x: x0, y: y0, width, height, data });
  }
  return out;
}

/** Detection `i`'s mask value at model-input point (mx, my). */
function maskSampler(
  masks: RawMasks,
  i: number,
  input: { width: number; height: number },
  box: readonly [number, number, number, number],
): (mx: number, my: number) => number {
  const { width: gw, height: gh } = masks;
  if (masks.kind === 'box') {
    const grid = masks.probabilities.subarray(i * gw * gh, (i + 1) * gw * gh);
    const [bx1, by1, bx2, by2] = box;
    const sx = gw / Math.max(bx2 - bx1, 1e-6);
    const sy = gh / Math.max(by2 - by1, 1e-6);
    return (mx, my) => bilinear(grid, gw, gh, (mx - bx1) * sx - 0.5, (my - by1) * sy - 0.5);
  }
  // Logits of this detection's mask over the prototype grid, computed once.
  const { channels, coefficients, protos } = masks;
  const cells = gw * gh;
  const grid = new Float32Array(cells);
  for (let k = 0; k < channels; k++) {
    const w = coefficients[i * channels + k]!;
    if (w === 0) continue;
    const plane = protos.subarray(k * cells, (k + 1) * cells);
    for (let j = 0; j < cells; j++) grid[j]! += w * plane[j]!;
  }
  const sx = gw / input.width;
  const sy = gh / input.height;
  return (mx, my) => bilinear(grid, gw, gh, mx * sx - 0.5, my * sy - 0.5);
}

/** Bilinear sample of a row-major grid at (u, v) in cell units (cell centres at integers), edges clamped. */
function bilinear(grid: Float32Array, w: number, h: number, u: number, v: number): number {
  const cu = Math.min(Math.max(u, 0), w - 1);
  const cv = Math.min(Math.max(v, 0), h - 1);
  const u0 = Math.floor(cu);
  const v0 = Math.floor(cv);
  const u1 = Math.min(u0 + 1, w - 1);
  const v1 = Math.min(v0 + 1, h - 1);
  const fu = cu - u0;
  const fv = cv - v0;
  const top = grid[v0 * w + u0]! * (1 - fu) + grid[v0 * w + u1]! * fu;
  const bottom = grid[v1 * w + u0]! * (1 - fu) + grid[v1 * w + u1]! * fu;
  return top * (1 - fv) + bottom * fv;
}
