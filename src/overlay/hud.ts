import type { Clock } from '../core/clock.ts';
import type { CountTotals } from '../core/counts.ts';
import { BLACK, WHITE } from './colour.ts';
import type { CountTexts } from './count-text.ts';
import { FpsMeter } from './fps.ts';
import { drawLabel } from './label.ts';
import type { Surface } from './surface.ts';
import type { TextRenderer } from './text.ts';

/**
 * The heads-up display in the top-left corner: the overlay's observed frame
 * rate, the frame's capture time (UTC) and every count in `frame.meta.counts`,
 * one line each. Texts are rebuilt only when they change (the rate twice a
 * second, the time once a second), so the text cache keeps hitting.
 */
export class Hud {
  readonly #fps: FpsMeter;
  #fpsAt = Number.NEGATIVE_INFINITY;
  #second = Number.NaN;
  readonly #fpsPieces: string[] = ['FPS –'];
  readonly #timePieces: string[] = [''];

  constructor(
    readonly clock: Clock,
    readonly texts: CountTexts,
    readonly refreshMs = 500,
  ) {
    this.#fps = new FpsMeter(1000);
  }

  /** Records that a frame passed; call once per frame, drawn or not. */
  tick(): void {
    const now = this.clock.now();
    this.#fps.tick(now);
    if (now - this.#fpsAt >= this.refreshMs) {
      const fps = this.#fps.fps();
      // Until two frames give a rate, retry every frame rather than show `–` for refreshMs.
      if (fps === undefined) return;
      this.#fpsAt = now;
      this.#fpsPieces[0] = `FPS ${fps.toFixed(1)}`;
    }
  }

  draw(s: Surface, text: TextRenderer, frameTime: number, counts: CountTotals | undefined): void {
    const second = Math.floor(frameTime / 1000);
    if (second !== this.#second) {
      this.#second = second;
      // `2026-11-25 22:30:01 UTC`: seconds are what a viewer reads off a recording.
      this.#timePieces[0] = `${new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
    }
    const margin = Math.round(text.size * 0.5);
    let y = margin;
    y += this.#line(s, text, this.#fpsPieces, margin, y);
    y += this.#line(s, text, this.#timePieces, margin, y);
    if (!counts) return;
    for (const name in counts.lines) {
      y += this.#line(s, text, this.texts.line(name, counts.lines[name]), margin, y);
    }
    for (const name in counts.zones) {
      y += this.#line(s, text, this.texts.zone(name, counts.zones[name]), margin, y);
    }
  }

  #line(s: Surface, text: TextRenderer, pieces: readonly string[], x: number, y: number): number {
    return drawLabel(s, text, pieces, pieces.length, x, y, 'at', BLACK, WHITE, 0.6);
  }
}
