import type { PixelFormat } from '../core/frame.ts';
import type { Colour } from './colour.ts';

/**
 * An 8-bit coverage image: text rasterized once, or an instance mask. A value
 * `v` means opacity `v / maxValue` (255 for anti-aliased text, 1 for 0/1 masks).
 */
export interface AlphaMask {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly maxValue: number;
}

/** Where a mask lands in frame pixels; a size other than the mask's stretches it (nearest). */
export interface MaskRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Drawing straight into a frame's pixel buffer. One implementation per pixel
 * format, chosen once when the format and size are first seen; per frame the
 * surface is only re-pointed at the new buffer. Rectangles are half-open
 * `[x0, x1) × [y0, y1)` in integer frame pixels and clipped to the frame, so
 * callers never check bounds.
 */
export interface Surface {
  readonly format: PixelFormat;
  readonly width: number;
  readonly height: number;
  /** Draw into this buffer from now on (no copy). */
  bind(data: Uint8Array): void;
  /** Opaque fill. */
  fill(x0: number, y0: number, x1: number, y1: number, c: Colour): void;
  /** Fill blended with uniform opacity `alpha` (0–1): `round(a·c + (1−a)·p)`. */
  blend(x0: number, y0: number, x1: number, y1: number, c: Colour, alpha: number): void;
  /**
   * Blends `c` through a coverage mask placed at `rect`, scaled by `opacity`:
   * per pixel `a = opacity · v / maxValue`, `p' = round(a·c + (1−a)·p)`.
   */
  blendMask(mask: AlphaMask, rect: MaskRect, c: Colour, opacity: number): void;
}
