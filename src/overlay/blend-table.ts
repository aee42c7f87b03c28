/**
 * Fills `lut` with `round(a·c + (1−a)·p)` for every 8-bit p and returns it.
 * Blending a uniform colour at a uniform opacity is then one lookup per byte,
 * with exactly the arithmetic of the per-pixel formula.
 */
export function blendTable(lut: Uint8Array, c: number, alpha: number): Uint8Array {
  const ac = alpha * c;
  const b = 1 - alpha;
  for (let p = 0; p < 256; p++) lut[p] = Math.round(ac + b * p);
  return lut;
}
