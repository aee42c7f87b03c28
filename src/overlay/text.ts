import { type Canvas, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { registerLabelFont } from './font.ts';
import { Lru } from './lru.ts';
import type { AlphaMask } from './surface.ts';

/**
 * Text at one pixel size, rasterized by a real font engine (Skia, through
 * `@napi-rs/canvas`) into 8-bit coverage masks. Each string is rasterized once
 * and kept in a bounded LRU cache; drawing a label is then only blending its
 * mask into the frame, so steady-state annotation never touches the canvas.
 * Every mask of one size has the same height and baseline, so masks placed side
 * by side line up.
 */
export class TextRenderer {
  /** Height of every mask: the font's ascent plus descent. */
  readonly lineHeight: number;
  /** Baseline position from the top of a mask. */
  readonly ascent: number;
  /** Advance of one space, for laying out strings drawn as separate pieces. */
  readonly spaceWidth: number;
  readonly #cache: Lru<string, AlphaMask>;
  #canvas: Canvas;
  #ctx: SKRSContext2D;
  #rasterized = 0;

  constructor(
    readonly size: number,
    capacity = 512,
  ) {
    const family = registerLabelFont();
    this.#cache = new Lru(capacity);
    this.#canvas = createCanvas(64, 64);
    this.#ctx = this.#canvas.getContext('2d');
    this.#setFont(family);
    const m = this.#ctx.measureText('Hg');
    this.ascent = Math.ceil(m.fontBoundingBoxAscent);
    this.lineHeight = this.ascent + Math.ceil(m.fontBoundingBoxDescent);
    this.spaceWidth = Math.round(this.#ctx.measureText(' ').width);
  }

  /** The coverage mask of `text` (cached). */
  mask(text: string): AlphaMask {
    const hit = this.#cache.get(text);
    if (hit) return hit;
    const mask = this.#rasterize(text);
    this.#cache.set(text, mask);
    return mask;
  }

  /** Strings rasterized so far: flat in steady state, which tests and benchmarks check. */
  get rasterized(): number {
    return this.#rasterized;
  }

  #rasterize(text: string): AlphaMask {
    this.#rasterized++;
    const width = Math.max(1, Math.ceil(this.#ctx.measureText(text).width));
    const height = this.lineHeight;
    if (this.#canvas.width < width || this.#canvas.height < height) {
      // Resizing a canvas resets its state; the font is set again.
      this.#canvas = createCanvas(Math.max(width, this.#canvas.width), Math.max(height, 64));
      this.#ctx = this.#canvas.getContext('2d');
      this.#setFont(registerLabelFont());
    }
    const ctx = this.#ctx;
    ctx.clearRect(0, 0, width, height);
    ctx.fillText(text, 0, this.ascent);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    // White text on transparent: the alpha channel is the glyph coverage.
    const data = new Uint8Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4 + 3]!;
    return { data, width, height, maxValue: 255 };
  }

  #setFont(family: string): void {
    this.#ctx.font = `${this.size}px ${family}`;
    this.#ctx.fillStyle = '#ffffff';
    this.#ctx.textBaseline = 'alphabetic';
  }
}
