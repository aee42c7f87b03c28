import type { GeometryTransform } from '../core/frame.ts';
import type { InstanceMask } from '../core/masks.ts';
import type { Colour } from './colour.ts';
import type { MaskRect, Surface } from './surface.ts';

/**
 * Blends an instance mask in colour `c` at `opacity`. The mask's cells are
 * source-frame pixels; they are mapped forward with the frame's transform
 * (`frame = source·scale + offset`) onto the pixels the pipeline carries.
 */
export function drawInstanceMask(
  s: Surface,
  mask: InstanceMask,
  transform: GeometryTransform | undefined,
  c: Colour,
  opacity: number,
): void {
  const sx = transform?.scaleX ?? 1;
  const sy = transform?.scaleY ?? 1;
  RECT.x = mask.x * sx + (transform?.offsetX ?? 0);
  RECT.y = mask.y * sy + (transform?.offsetY ?? 0);
  RECT.width = mask.width * sx;
  RECT.height = mask.height * sy;
  ALPHA.data = mask.data;
  ALPHA.width = mask.width;
  ALPHA.height = mask.height;
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
