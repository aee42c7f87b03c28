import type { GeometryTransform } from '../core/frame.ts';
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
