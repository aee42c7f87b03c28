/**
 * Sizes that follow the frame's resolution, so an annotation looks the same
 * on a 360p preview and a 4K recording: both grow with the frame's shorter side
 * (the height, for landscape video).
 */

/** Box and line width in pixels: 2 at 360p–720p, 4 at 1080p, 7 at 4K. */
export function autoThickness(width: number, height: number): number {
  return Math.max(2, Math.round(Math.min(width, height) / 300));
}

/**
 * Label font size in pixels: 2.5% of the shorter side (18 px at 720p, 27 at
 * 1080p, 54 at 4K), never below 12 px, where DejaVu Sans stops being legible.
 */
export function autoFontSize(width: number, height: number, scale = 1): number {
  return Math.max(8, Math.round(Math.max(12, Math.min(width, height) * 0.025) * scale));
}
