/**
 * A drawing colour, converted once to every representation a frame may use, so
 * the per-pixel loops only copy bytes. YUV is BT.601 limited range (Y 16–235,
 * U/V 16–240), the convention of SD/HD camera streams and of ffmpeg's
 * `yuv420p` when no colour matrix is signalled.
 */
export interface Colour {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  readonly y: number;
  readonly u: number;
  readonly v: number;
}

/** Builds a colour from 8-bit RGB, computing its BT.601 limited-range Y, U, V. */
export function rgbColour(r: number, g: number, b: number): Colour {
  const [y, u, v] = rgbToYuv601(r, g, b);
  return { r, g, b, y, u, v };
}

/** BT.601 limited range: `Y = 16 + 219·Y'`, `U/V = 128 + 224·(B'−Y')/1.772 …`, rounded. */
export function rgbToYuv601(r: number, g: number, b: number): [number, number, number] {
  const y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
  const u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255;
  const v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255;
  return [clamp8(y), clamp8(u), clamp8(v)];
}

function clamp8(x: number): number {
  return Math.min(255, Math.max(0, Math.round(x)));
}

export const WHITE = rgbColour(255, 255, 255);
export const BLACK = rgbColour(0, 0, 0);

/** Text colour readable on `background`: black on light colours, white on dark ones. */
export function textColourOn(background: Colour): Colour {
  // Y is perceptual lightness already; 140 of 16–235 sits near mid-grey.
  return background.y > 140 ? BLACK : WHITE;
}
