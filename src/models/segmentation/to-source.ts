import type { GeometryTransform } from '../../core/frame.ts';
import type { ModelMap } from './semantic.ts';

/**
 * Samples a model-grid class map at every pixel of the source frame: THE
 * place where segmentation leaves model coordinates, as `boxesToSource` is for
 * boxes. `toSource` maps model-input pixels to source pixels
 * (`source = (model − offset) / scale`); the output grid may be coarser than
 * the input (DeepLab's stride 8), so model pixels are scaled onto it. Nearest
 * cell, sampled at pixel centres; letterbox padding never reaches the result.
 */
export function mapToSource(
  map: ModelMap,
  inputWidth: number,
  inputHeight: number,
  toSource: GeometryTransform,
): Uint8Array {
  return gridToSource(map.classes, map, inputWidth, inputHeight, toSource);
}

/** `map.probabilities` sampled as `mapToSource` samples its classes (same cells, so the two agree per pixel). */
export function probabilitiesToSource(
  map: ModelMap,
  inputWidth: number,
  inputHeight: number,
  toSource: GeometryTransform,
): Uint8Array | undefined {
  return map.probabilities
    ? gridToSource(map.probabilities, map, inputWidth, inputHeight, toSource)
    : undefined;
}

function gridToSource(
  grid: Uint8Array,
  map: { width: number; height: number },
  inputWidth: number,
  inputHeight: number,
  toSource: GeometryTransform,
): Uint8Array {
  const { scaleX, scaleY, offsetX, offsetY, sourceWidth: w, sourceHeight: h } = toSource;
  const gx = map.width / inputWidth;
  const gy = map.height / inputHeight;
  const column = new Int32Array(w);
  for (let x = 0; x < w; x++) {
    column[x] = clampIndex(((x + 0.5) * scaleX + offsetX) * gx, map.width);
  }
  const out = new Uint8Array(w * h);
  let previous = -1;
  for (let y = 0; y < h; y++) {
    const row = clampIndex(((y + 0.5) * scaleY + offsetY) * gy, map.height) * map.width;
    // Upsampling repeats each model row on several source rows: copy the one just filled.
    if (row === previous) {
      out.copyWithin(y * w, (y - 1) * w, y * w);
      continue;
    }
    for (let x = 0; x < w; x++) out[y * w + x] = grid[row + column[x]!]!;
    previous = row;
  }
  return out;
}

function clampIndex(v: number, size: number): number {
  return Math.min(size - 1, Math.max(0, Math.floor(v)));
}
