import type { GeometryTransform } from '../core/frame.ts';
import type { InstanceMask } from '../core/masks.ts';
import type { Colour } from './colour.ts';
import type { MaskRect, Surface } from './surface.ts';

/**
 * Blends detection `i`'s mask in colour `c` at `opacity`. Box-space masks land
 * on the box; source-space masks on the whole source frame; both mapped forward
 * with the frame's transform (`frame = source·scale + offset`).
 */
export function drawInstanceMask(
  s: Surface,
  mask: InstanceMask,
  box: Float32Array,
  i: number,
  transform: GeometryTransform | undefined,
  c: Colour,
  opacity: number,
): void {
  let x1 = 0;
  let y1 = 0;
  let x2 = transform?.sourceWidth ?? s.width;
  let y2 = transform?.sourceHeight ?? s.height;
  if (mask.space === 'box') {
    x1 = box[4 * i]!;
    y1 = box[4 * i + 1]!;
    x2 = box[4 * i + 2]!;
    y2 = box[4 * i + 3]!;
  }
  const sx = transform?.scaleX ?? 1;
  const sy = transform?.scaleY ?? 1;
  const ox = transform?.offsetX ?? 0;
  const oy = transform?.offsetY ?? 0;
  RECT.x = x1 * sx + ox;
  RECT.y = y1 * sy + oy;
  RECT.width = (x2 - x1) * sx;
  RECT.height = (y2 - y1) * sy;
  ALPHA.data = mask.data;
  ALPHA.width = mask.width;
  ALPHA.height = mask.height;
  ALPHA.maxValue = mask.maxValue ?? 1;
  s.blendMask(ALPHA, RECT, c, opacity);
}

/** Scratch objects, reused so drawing a mask allocates nothing. */
const RECT: MaskRect & { x: number; y: number; width: number; height: number } = {
  x: 0,
  y: 0,
  width: 0,
  height: 0,
};
const ALPHA: { data: Uint8Array; width: number; height: number; maxValue: number } = {
  data: new Uint8Array(0),
  width: 0,
  height: 0,
  maxValue: 1,
};
