import { type Colour, rgbColour } from './colour.ts';

/**
 * A fixed palette of saturated colours. Entries are spread round the hue circle
 * by the golden angle, so consecutive ids (track 1, 2, 3 …) get clearly
 * different colours, and the same id always gets the same one, across frames,
 * runs and machines.
 */
const SIZE = 24;

export const PALETTE: readonly Colour[] = Array.from({ length: SIZE }, (_, i) => {
  const hue = (i * 137.508) % 360;
  // Alternate two value/saturation levels so neighbouring hues still differ.
  const [s, v] = i % 2 === 0 ? [0.85, 1] : [0.7, 0.85];
  return rgbColour(...hsvToRgb(hue, s, v));
});

/** The palette colour of a class id or a (non-negative) track id. */
export function colourForId(id: number): Colour {
  const k = ((id % SIZE) + SIZE) % SIZE;
  return PALETTE[k]!;
}

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const c = v * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = v - c;
  const [r, g, b] =
    h < 60
      ? [c, x, 0]
      : h < 120
        ? [x, c, 0]
        : h < 180
          ? [0, c, x]
          : h < 240
            ? [0, x, c]
            : h < 300
              ? [x, 0, c]
              : [c, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}
