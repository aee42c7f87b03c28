import type { SizeField } from '../core/schema.ts';

/** Width and height in pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

// Bounded digit counts: a longer number is out of range anyway, and the
// pattern never has to look at more than a few characters of a huge value.
const SIZE = /^(\d{1,6})x(\d{1,6})$/;

/** `1280x720` → { width: 1280, height: 720 }; undefined when it is not WIDTHxHEIGHT. */
export function parseSize(text: string): Size | undefined {
  const m = text.length <= 13 ? SIZE.exec(text) : null;
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

/** The value as a size field takes it (canonical `WxH`), or what is wrong with it (the caller adds what was written). */
export function checkSize(
  text: string,
  field: SizeField,
):
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly message: string } {
  const size = parseSize(text);
  if (size === undefined) {
    return { ok: false, message: `expected WIDTHxHEIGHT in whole pixels, such as 1280x720` };
  }
  const { width, height } = size;
  const outside = (n: number) => n < field.min || n > field.max;
  if (outside(width) || outside(height)) {
    return {
      ok: false,
      message: `width and height must each be between ${field.min} and ${field.max}`,
    };
  }
  if (field.even && (width % 2 !== 0 || height % 2 !== 0)) {
    return {
      ok: false,
      message: `width and height must be even (4:2:0 video stores colour at half the size, and H.264 encoders reject odd sizes)`,
    };
  }
  return { ok: true, value: `${width}x${height}` };
}
