import type { PixelFormat } from '../core/frame.ts';
import { PackedSurface } from './packed-surface.ts';
import { PlanarSurface } from './planar-surface.ts';
import type { Surface } from './surface.ts';

/** The surface for a pixel format: decided once per stream (or size change), never per pixel. */
export function createSurface(format: PixelFormat, width: number, height: number): Surface {
  switch (format) {
    case 'yuv420p':
      return new PlanarSurface(width, height);
    case 'rgb24':
    case 'rgba':
      return new PackedSurface(format, width, height);
  }
}
