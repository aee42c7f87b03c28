import { createRequire } from 'node:module';
import { GlobalFonts } from '@napi-rs/canvas';

/**
 * The family name labels are drawn in. It is an alias private to framewire, so
 * whatever fonts the machine has (or lacks) cannot change how labels look.
 */
export const FONT_FAMILY = 'FramewireSans';

let registered = false;

/**
 * Registers DejaVu Sans, shipped by the `dejavu-fonts-ttf` npm package, under
 * {@link FONT_FAMILY}. Idempotent. Throws when the font cannot be loaded rather
 * than let the canvas fall back silently to a system font (or to none).
 */
export function registerLabelFont(): string {
  if (registered) return FONT_FAMILY;
  const path = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  if (!GlobalFonts.registerFromPath(path, FONT_FAMILY)) {
    throw new Error(`overlay: could not load the label font from ${path}`);
  }
  registered = true;
  return FONT_FAMILY;
}
