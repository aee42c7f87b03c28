import type { GeometryTransform } from './frame.ts';

/** Where a `srcW×srcH` image lands inside a `dstW×dstH` canvas. */
export interface Placement {
  scaleX: number;
  scaleY: number;
  /** Top-left of the placed image inside the canvas. */
  offsetX: number;
  offsetY: number;
  /** Size of the placed image. */
  width: number;
  height: number;
}

/**
 * Letterbox keeps the aspect ratio and centres the image (pad around it);
 * stretch fills the canvas. `align` keeps offsets and sizes multiples of it
 * (2 for 4:2:0 chroma).
 */
export function place(
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  mode: 'letterbox' | 'stretch',
  align = 1,
): Placement {
  if (mode === 'stretch') {
    return {
      scaleX: dstW / srcW,
      scaleY: dstH / srcH,
      offsetX: 0,
      offsetY: 0,
      width: dstW,
      height: dstH,
    };
  }
  const scale = Math.min(dstW / srcW, dstH / srcH);
  const snap = (v: number) => Math.max(align, Math.round(v / align) * align);
  const width = Math.min(dstW, snap(srcW * scale));
  const height = Math.min(dstH, snap(srcH * scale));
  const offsetX = Math.floor((dstW - width) / 2 / align) * align;
  const offsetY = Math.floor((dstH - height) / 2 / align) * align;
  return { scaleX: width / srcW, scaleY: height / srcH, offsetX, offsetY, width, height };
}

/**
 * Composes a placement onto the frame's existing transform back to source pixels:
 * with `source = (cur − o1) / s1` and `cur = (new − o2) / s2`,
 * `source = (new − (o2 + o1·s2)) / (s1·s2)`.
 */
export function composeTransform(
  previous: GeometryTransform | undefined,
  p: Placement,
  frameWidth: number,
  frameHeight: number,
): GeometryTransform {
  const prev = previous ?? {
    scaleX: 1,
    scaleY: 1,
    offsetX: 0,
    offsetY: 0,
    sourceWidth: frameWidth,
    sourceHeight: frameHeight,
  };
  return {
    scaleX: prev.scaleX * p.scaleX,
    scaleY: prev.scaleY * p.scaleY,
    offsetX: p.offsetX + prev.offsetX * p.scaleX,
    offsetY: p.offsetY + prev.offsetY * p.scaleY,
    sourceWidth: prev.sourceWidth,
    sourceHeight: prev.sourceHeight,
  };
}

/** Maps a point of the transformed image back to source pixels. */
export function toSource(t: GeometryTransform, x: number, y: number): [number, number] {
  return [(x - t.offsetX) / t.scaleX, (y - t.offsetY) / t.scaleY];
}
