// Label text: the shipped font rasterized into coverage masks, the bounded
// cache, label layout (above the box, kept inside the frame) and label text.
import { GlobalFonts } from '@napi-rs/canvas';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rgbColour, textColourOn, WHITE } from '../src/overlay/colour.ts';
import { createSurface } from '../src/overlay/create-surface.ts';
import { FONT_FAMILY, registerLabelFont } from '../src/overlay/font.ts';
import { drawLabel, labelPieces, scoreText, trackIdText } from '../src/overlay/label.ts';
import { Lru } from '../src/overlay/lru.ts';
import { TextRenderer } from '../src/overlay/text.ts';
import { changedPixels, detections, GREY, greyFrame, yuv } from './helpers/overlay-frames.ts';

const BLUE = rgbColour(30, 60, 200);

function coverage(m: { data: Uint8Array }): number {
  let n = 0;
  for (const v of m.data) if (v > 0) n++;
  return n;
}

test('the label font is DejaVu Sans from the npm package, under a private family name', () => {
  assert.is(registerLabelFont(), FONT_FAMILY);
  assert.ok(GlobalFonts.has(FONT_FAMILY));
  assert.ok(GlobalFonts.families.some((f) => f.family === FONT_FAMILY));
});

test('a rasterized string is a non-empty mask of the line height', () => {
  const text = new TextRenderer(18);
  const m = text.mask('person 0.87 #12');
  assert.is(m.height, text.lineHeight);
  assert.is(m.maxValue, 255);
  assert.ok(m.width > 18 * 5 && m.width < 18 * 12, `width ${m.width}`);
  assert.ok(coverage(m) > 200, `coverage ${coverage(m)}`);
  // Anti-aliased: partial coverage exists alongside full coverage.
  assert.ok(m.data.some((v) => v > 0 && v < 255));
  assert.ok(m.data.some((v) => v === 255));
});

test('glyphs sit on the baseline: a full stop covers only rows near it', () => {
  const text = new TextRenderer(40);
  const m = text.mask('.');
  const rows: number[] = [];
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]! > 0) rows.push(y);
  }
  assert.ok(rows.length > 0);
  assert.ok(Math.min(...rows) > text.ascent * 0.7, `top ${Math.min(...rows)}`);
  assert.ok(Math.max(...rows) <= text.ascent + 1, `bottom ${Math.max(...rows)}`);
});

test('text size scales the mask', () => {
  const small = new TextRenderer(12).mask('person');
  const big = new TextRenderer(54).mask('person');
  const ratio = big.width / small.width;
  assert.ok(ratio > 3.8 && ratio < 5.2, `ratio ${ratio}`);
});

test('masks are cached: a repeated string is rasterized once', () => {
  const text = new TextRenderer(18);
  const a = text.mask('car');
  assert.is(text.mask('car'), a);
  assert.is(text.rasterized, 1);
});

test('the cache is bounded: the least recently used string is evicted', () => {
  const text = new TextRenderer(18, 2);
  text.mask('a');
  text.mask('b');
  text.mask('a'); // a is now the most recent
  text.mask('c'); // evicts b
  assert.is(text.rasterized, 3);
  text.mask('a');
  assert.is(text.rasterized, 3);
  text.mask('b');
  assert.is(text.rasterized, 4);
});

test('Lru: capacity, order refreshed by get, and a bad capacity is refused', () => {
  const lru = new Lru<string, number>(2);
  lru.set('x', 1);
  lru.set('y', 2);
  assert.is(lru.get('x'), 1);
  lru.set('z', 3);
  assert.is(lru.get('y'), undefined);
  assert.is(lru.get('x'), 1);
  assert.is(lru.size, 2);
  assert.throws(() => new Lru(0), /capacity/);
});

// Label text: `person 0.87 #12`, parts left out when unknown or turned off.
const labels: [string, Parameters<typeof detections>[0][number], boolean, string][] = [
  [
    'class, score and public track id',
    { box: [0, 0, 1, 1], score: 0.87, trackId: 12 },
    true,
    'person 0.87 #12',
  ],
  ['scores turned off', { box: [0, 0, 1, 1], score: 0.87, trackId: 12 }, false, 'person #12'],
  [
    'tentative track: no id',
    { box: [0, 0, 1, 1], score: 0.5, classId: 2, trackId: -3 },
    true,
    'car 0.50',
  ],
  ['no tracker', { box: [0, 0, 1, 1], score: 1, classId: 1 }, true, 'bicycle 1.00'],
  ['score rounds to two decimals', { box: [0, 0, 1, 1], score: 0.4049 }, true, 'person 0.40'],
];
for (const [name, det, scores, want] of labels) {
  test(`label text: ${name}`, () => {
    const out: string[] = [];
    const n = labelPieces(detections([det]), 0, scores, out);
    assert.is(out.slice(0, n).join(' '), want);
  });
}

test('scoreText and trackIdText', () => {
  assert.is(scoreText(0), '0.00');
  assert.is(scoreText(0.005), '0.01');
  assert.is(scoreText(1.2), '1.00');
  assert.is(scoreText(Number.NaN), '0.00');
  assert.is(trackIdText(7), '#7');
  assert.is(trackIdText(7), trackIdText(7));
});

test('drawLabel above a box: background in the box colour, text inside, nothing else touched', () => {
  const f = greyFrame('yuv420p', 320, 240);
  const s = createSurface('yuv420p', 320, 240);
  s.bind(f.data);
  const text = new TextRenderer(18);
  const h = drawLabel(s, text, ['person', '0.87', '#12'], 3, 100, 60, 'above', BLUE, WHITE, 0.8);
  const changed = changedPixels(f);
  const xs = [...changed].map((k) => Number(k.split(',')[0]));
  const ys = [...changed].map((k) => Number(k.split(',')[1]));
  // The label's bottom edge is the box's top edge; its left edge the box's left edge.
  assert.is(Math.max(...ys), 59);
  assert.is(Math.min(...ys), 60 - h);
  assert.is(Math.min(...xs), 100);
  const p = yuv(f);
  const bg = Math.round(0.8 * BLUE.y + 0.2 * GREY);
  // The corner is plain background; inside, text pixels are lighter (white text).
  assert.is(p.y(100, 60 - h), bg);
  let textPixels = 0;
  for (const k of changed) {
    const [x, y] = k.split(',').map(Number) as [number, number];
    if (p.y(x, y) > bg + 40) textPixels++;
  }
  assert.ok(textPixels > 100, `text pixels ${textPixels}`);
  assert.is(textColourOn(BLUE), WHITE);
});

test('drawLabel without room above the box goes inside it; at the right edge it stays in frame', () => {
  const f = greyFrame('rgb24', 200, 120);
  const s = createSurface('rgb24', 200, 120);
  s.bind(f.data);
  const text = new TextRenderer(14);
  const h = drawLabel(s, text, ['person', '0.99'], 2, 190, 3, 'above', BLUE, WHITE, 1);
  const changed = [...changedPixels(f)].map((k) => k.split(',').map(Number) as [number, number]);
  assert.is(Math.min(...changed.map(([, y]) => y)), 3);
  assert.is(Math.max(...changed.map(([, y]) => y)), 3 + h - 1);
  assert.is(Math.max(...changed.map(([x]) => x)), 199);
});

test.run();
