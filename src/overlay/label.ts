import type { Detections } from '../core/detections.ts';
import type { Colour } from './colour.ts';
import type { Surface } from './surface.ts';
import type { TextRenderer } from './text.ts';

/** How a label sits relative to its anchor point. */
export type LabelPlacement =
  /** Above the anchor (a box's top-left corner), or just below it when there is no room above. */
  | 'above'
  /** With its top-left corner at the anchor. */
  | 'at';

/**
 * Draws a text label: a semi-transparent background in `bg` and the text in
 * `fg`. The text is given as pieces (`person`, `0.87`, `#12`) joined by one
 * space: each piece is a separately cached mask, so a changing score does not
 * make the whole label a new string to rasterize. The label is kept inside
 * the frame. Returns the label's height, for stacking lines (the HUD).
 */
export function drawLabel(
  s: Surface,
  text: TextRenderer,
  pieces: readonly string[],
  count: number,
  anchorX: number,
  anchorY: number,
  placement: LabelPlacement,
  bg: Colour,
  fg: Colour,
  bgOpacity: number,
): number {
  if (count === 0) return 0;
  const padX = Math.max(2, Math.round(text.size * 0.3));
  const padY = Math.max(1, Math.round(text.size * 0.1));
  let textWidth = text.spaceWidth * (count - 1);
  for (let i = 0; i < count; i++) textWidth += text.mask(pieces[i]!).width;
  const w = textWidth + 2 * padX;
  const h = text.lineHeight + 2 * padY;
  let x = Math.round(anchorX);
  let y = Math.round(anchorY);
  if (placement === 'above') y = y - h >= 0 ? y - h : y;
  x = Math.max(0, Math.min(x, s.width - w));
  y = Math.max(0, Math.min(y, s.height - h));
  s.blend(x, y, x + w, y + h, bg, bgOpacity);
  let tx = x + padX;
  for (let i = 0; i < count; i++) {
    const m = text.mask(pieces[i]!);
    RECT.x = tx;
    RECT.y = y + padY;
    RECT.width = m.width;
    RECT.height = m.height;
    s.blendMask(m, RECT, fg, 1);
    tx += m.width + text.spaceWidth;
  }
  return h;
}

/** Scratch placement rectangle, reused so drawing a label allocates nothing. */
const RECT = { x: 0, y: 0, width: 0, height: 0 };

/** `0.00` … `1.00`, built once: scores are shown with two decimals. */
const SCORE_TEXT: readonly string[] = Array.from({ length: 101 }, (_, i) => (i / 100).toFixed(2));

/** A score in [0, 1] as two-decimal text, without formatting a string per frame. */
export function scoreText(score: number): string {
  const i = Math.round(Math.min(1, Math.max(0, score)) * 100);
  return SCORE_TEXT[Number.isNaN(i) ? 0 : i]!;
}

const idText = new Map<number, string>();

/** `#12` for track 12, memoized (track ids recur every frame). */
export function trackIdText(id: number): string {
  let s = idText.get(id);
  if (s === undefined) {
    // Bounded: ids grow for ever in a long run; old ones are rarely needed again.
    if (idText.size >= 4096) idText.clear();
    s = `#${id}`;
    idText.set(id, s);
  }
  return s;
}

/**
 * The pieces of detection `i`'s label into `out` — `person`, `0.87` (when
 * `scores`), `#12` (when the track id is public) — and how many there are.
 * Shown joined by spaces: `person 0.87 #12`.
 */
export function labelPieces(d: Detections, i: number, scores: boolean, out: string[]): number {
  let n = 0;
  out[n++] = d.label(i);
  if (scores) out[n++] = scoreText(d.scores[i]!);
  const id = d.trackIds?.[i] ?? -1;
  if (id >= 0) out[n++] = trackIdText(id);
  return n;
}
