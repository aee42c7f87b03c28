import type { SemanticMap } from '../core/segmentation.ts';
import { colourForId } from './palette.ts';

/**
 * Tints an rgb24 image with its semantic map: each class in its palette
 * colour at `alpha`, the background class (id 0 when it is named
 * `background`) left as it is. In place; the map must have the image's size.
 */
export function tintSemantic(rgb: Uint8Array, map: SemanticMap, alpha = 0.5): void {
  if (rgb.length !== map.width * map.height * 3) {
    throw new Error(
      `semantic map ${map.width}x${map.height} does not fit an image of ${rgb.length} bytes`,
    );
  }
  const skip = map.labels[0] === 'background' ? 0 : -1;
  const keep = 1 - alpha;
  for (let i = 0; i < map.classes.length; i++) {
    const id = map.classes[i]!;
    if (id === skip) continue;
    const c = colourForId(id);
    const o = i * 3;
    rgb[o] = Math.round(rgb[o]! * keep + c.r * alpha);
    rgb[o + 1] = Math.round(rgb[o + 1]! * keep + c.g * alpha);
    rgb[o + 2] = Math.round(rgb[o + 2]! * keep + c.b * alpha);
  }
}
