import type { Detections } from '../core/detections.ts';

/** Distinct, saturated colours; a class keeps its colour across images. */
const PALETTE: readonly [number, number, number][] = [
  [255, 56, 56],
  [72, 249, 10],
  [0, 194, 255],
  [255, 178, 29],
  [207, 210, 49],
  [146, 204, 23],
  [61, 219, 134],
  [26, 147, 52],
  [0, 212, 187],
  [44, 153, 168],
  [52, 69, 147],
  [100, 115, 255],
  [132, 56, 255],
  [203, 56, 255],
  [255, 149, 200],
  [255, 55, 199],
];

/**
 * Draws each detection's box as a rectangle outline into an rgb24 image, in
 * place. Deliberately minimal (no text): `framewire detect --out` shows where the
 * boxes are; the `overlay` stage is the full annotator.
 */
export function drawBoxes(
  rgb: Uint8Array,
  width: number,
  height: number,
  detections: Detections,
  thickness = Math.max(2, Math.round(Math.min(width, height) / 200)),
): void {
  for (let i = 0; i < detections.length; i++) {
    const [x1, y1, x2, y2] = detections.box(i).map(Math.round) as [number, number, number, number];
    const colour = PALETTE[detections.classIds[i]! % PALETTE.length]!;
    for (let k = 0; k < thickness; k++) {
      hline(rgb, width, height, x1, x2, y1 + k, colour);
      hline(rgb, width, height, x1, x2, y2 - 1 - k, colour);
      vline(rgb, width, height, x1 + k, y1, y2, colour);
      vline(rgb, width, height, x2 - 1 - k, y1, y2, colour);
    }
  }
}

function hline(
  rgb: Uint8Array,
  w: number,
  h: number,
  x1: number,
  x2: number,
  y: number,
  c: readonly number[],
): void {
  if (y < 0 || y >= h) return;
  for (let x = Math.max(0, x1); x < Math.min(w, x2); x++) rgb.set(c, (y * w + x) * 3);
}

function vline(
  rgb: Uint8Array,
  w: number,
  h: number,
  x: number,
  y1: number,
  y2: number,
  c: readonly number[],
): void {
  if (x < 0 || x >= w) return;
  for (let y = Math.max(0, y1); y < Math.min(h, y2); y++) rgb.set(c, (y * w + x) * 3);
}
