// Drawing primitives on generated grey frames: exact pixel positions of box
// edges, exact colour values (BT.601 limited range), blending arithmetic,
// polylines, and clipping at the frame's borders.
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import type { Frame } from '../src/core/frame.ts';
import { rgbColour, rgbToYuv601 } from '../src/overlay/colour.ts';
import { createSurface } from '../src/overlay/create-surface.ts';
import { drawInstanceMask } from '../src/overlay/masks.ts';
import { drawPolyline } from '../src/overlay/polyline.ts';
import { drawRect } from '../src/overlay/rect.ts';
import { autoFontSize, autoThickness } from '../src/overlay/scale.ts';
import type { Surface } from '../src/overlay/surface.ts';
import {
  changedPixels,
  GREY,
  greyFrame,
  rectPixels,
  rgbAt,
  yuv,
} from './helpers/overlay-frames.ts';

const ORANGE = rgbColour(255, 140, 0);

function surfaceOf(frame: Frame): Surface {
  const s = createSurface(frame.format, frame.width, frame.height);
  s.bind(frame.data);
  return s;
}

/** `round(a·c + (1−a)·p)`: the blending rule every test below checks against. */
function blendValue(a: number, c: number, p: number): number {
  return Math.round(a * c + (1 - a) * p);
}

// Colour conversion: hand-computed BT.601 limited-range values.
const colours: [string, [number, number, number], [number, number, number]][] = [
  ['white is Y 235, neutral chroma', [255, 255, 255], [235, 128, 128]],
  ['black is Y 16, neutral chroma', [0, 0, 0], [16, 128, 128]],
  ['red', [255, 0, 0], [81, 90, 240]],
  ['green', [0, 255, 0], [145, 54, 34]],
  ['blue', [0, 0, 255], [41, 240, 110]],
  ['mid grey stays neutral', [128, 128, 128], [126, 128, 128]],
];
for (const [name, rgb, want] of colours) {
  test(`rgbToYuv601: ${name}`, () => {
    assert.equal(rgbToYuv601(...rgb), want);
  });
}

test('rgbToYuv601 agrees with ffmpeg (swscale, BT.601 limited) within 1 level', () => {
  for (const [, rgb] of colours.concat([['orange', [255, 140, 0], [0, 0, 0]]])) {
    const out = execFileSync(
      ffmpegPath,
      [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24'],
        ...['-s', '2x2', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
        ...[],
      ],
      { input: Buffer.from([...rgb, ...rgb, ...rgb, ...rgb]) },
    );
    const ffmpeg = [out[0]!, out[4]!, out[5]!];
    const ours = rgbToYuv601(...rgb);
    for (let k = 0; k < 3; k++) {
      assert.ok(Math.abs(ffmpeg[k]! - ours[k]!) <= 1, `${rgb} → ${ours} vs ffmpeg ${ffmpeg}`);
    }
  }
});

// Box outlines: edges drawn inward, exactly `thickness` pixels, nothing outside.
const boxes: { name: string; box: [number, number, number, number]; t: number }[] = [
  { name: 'even edges, thickness 3', box: [100, 60, 200, 140], t: 3 },
  { name: 'odd edges, thickness 2', box: [101, 61, 199, 139], t: 2 },
  { name: 'fractional edges round to the nearest pixel', box: [49.6, 20.4, 90.5, 70.49], t: 1 },
  { name: 'thin box is filled', box: [10, 10, 14, 40], t: 3 },
];
function expectedOutline(box: [number, number, number, number], t: number): Set<string> {
  const [l, tp, r, b] = box.map(Math.round) as [number, number, number, number];
  if (r - l <= 2 * t || b - tp <= 2 * t) return rectPixels(l, tp, r, b);
  const inner = rectPixels(l + t, tp + t, r - t, b - t);
  return new Set([...rectPixels(l, tp, r, b)].filter((p) => !inner.has(p)));
}
for (const { name, box, t } of boxes) {
  test(`drawRect yuv420p: ${name}`, () => {
    const f = greyFrame('yuv420p', 320, 240);
    drawRect(surfaceOf(f), ...box, t, ORANGE);
    const want = expectedOutline(box, t);
    assert.equal(changedPixels(f), want);
    const p = yuv(f);
    for (const key of want) {
      const [x, y] = key.split(',').map(Number) as [number, number];
      assert.is(p.y(x, y), ORANGE.y);
      // The chroma sample over every drawn pixel carries the colour.
      assert.is(p.u(x >> 1, y >> 1), ORANGE.u);
      assert.is(p.v(x >> 1, y >> 1), ORANGE.v);
    }
  });
  test(`drawRect rgb24: ${name}`, () => {
    const f = greyFrame('rgb24', 320, 240);
    drawRect(surfaceOf(f), ...box, t, ORANGE);
    const want = expectedOutline(box, t);
    assert.equal(changedPixels(f), want);
    for (const key of want) {
      const [x, y] = key.split(',').map(Number) as [number, number];
      assert.equal(rgbAt(f, x, y), [255, 140, 0]);
    }
  });
}

test('drawRect yuv420p: chroma away from the edges stays neutral', () => {
  const f = greyFrame('yuv420p', 320, 240);
  drawRect(surfaceOf(f), 100, 60, 200, 140, 2, ORANGE);
  const p = yuv(f);
  assert.is(p.u(75, 50), GREY); // box interior
  assert.is(p.v(75, 50), GREY);
  assert.is(p.u(49, 29), GREY); // just outside the top-left corner
  assert.is(p.u(100, 70), GREY); // just outside the bottom-right corner
});

// Clipping: boxes partly or wholly outside the frame draw their visible part only.
const clipped: { name: string; box: [number, number, number, number] }[] = [
  { name: 'over the top-left corner', box: [-50, -30, 60, 50] },
  { name: 'over the bottom-right corner', box: [300, 200, 400, 300] },
  { name: 'wider than the frame', box: [-10, 100, 330, 120] },
  { name: 'entirely outside', box: [400, 300, 500, 400] },
  { name: 'inverted (x2 < x1)', box: [60, 60, 40, 80] },
];
for (const { name, box } of clipped) {
  for (const format of ['yuv420p', 'rgb24'] as const) {
    test(`drawRect ${format} clipped: ${name}`, () => {
      const f = greyFrame(format, 320, 240);
      drawRect(surfaceOf(f), ...box, 4, ORANGE);
      const inFrame = new Set(
        [...expectedOutline(box, 4)].filter((k) => {
          const [x, y] = k.split(',').map(Number) as [number, number];
          return x >= 0 && y >= 0 && x < 320 && y < 240;
        }),
      );
      if (box[2] < box[0]) inFrame.clear();
      assert.equal(changedPixels(f), inFrame);
    });
  }
}

test('drawRect with NaN coordinates draws nothing and does not throw', () => {
  const f = greyFrame('yuv420p', 64, 48);
  drawRect(surfaceOf(f), Number.NaN, 0, 10, 10, 2, ORANGE);
  assert.is(changedPixels(f).size, 0);
});

test('blend: uniform opacity follows round(a·c + (1−a)·p) on every plane', () => {
  const f = greyFrame('yuv420p', 64, 48);
  surfaceOf(f).blend(10, 10, 20, 16, ORANGE, 0.4);
  const p = yuv(f);
  assert.is(p.y(10, 10), blendValue(0.4, ORANGE.y, GREY));
  assert.is(p.y(19, 15), blendValue(0.4, ORANGE.y, GREY));
  assert.is(p.u(5, 5), blendValue(0.4, ORANGE.u, GREY));
  assert.is(p.v(9, 7), blendValue(0.4, ORANGE.v, GREY));
  assert.equal(changedPixels(f), rectPixels(10, 10, 20, 16));
  const g = greyFrame('rgb24', 64, 48);
  surfaceOf(g).blend(10, 10, 20, 16, ORANGE, 0.4);
  assert.equal(
    rgbAt(g, 12, 12),
    [255, 140, 0].map((c) => blendValue(0.4, c, GREY)),
  );
});

/** A 4×4 coverage mask with distinct values, including 0 (untouched) and full. */
const MASK4 = new Uint8Array([0, 64, 128, 255, 255, 255, 32, 0, 200, 100, 50, 25, 1, 2, 3, 255]);

test('blendMask 1:1 on yuv420p: luma exact per pixel, over a non-uniform background', () => {
  const f = greyFrame('yuv420p', 32, 24);
  // A ramp under the mask, so the (1−a)·p term is not the same everywhere.
  for (let y = 0; y < 24; y++) for (let x = 0; x < 32; x++) f.data[y * 32 + x] = 40 + 5 * x + y;
  const before = Uint8Array.from(f.data);
  const s = surfaceOf(f);
  s.blendMask(
    { data: MASK4, width: 4, height: 4, maxValue: 255 },
    { x: 8, y: 6, width: 4, height: 4 },
    ORANGE,
    0.7,
  );
  const p = yuv(f);
  for (let my = 0; my < 4; my++) {
    for (let mx = 0; mx < 4; mx++) {
      const a = (0.7 * MASK4[my * 4 + mx]!) / 255;
      const prev = before[(6 + my) * 32 + 8 + mx]!;
      assert.is(p.y(8 + mx, 6 + my), blendValue(a, ORANGE.y, prev), `mask (${mx},${my})`);
    }
  }
  // Chroma: the mean coverage of each 2×2 block.
  for (let cy = 0; cy < 2; cy++) {
    for (let cx = 0; cx < 2; cx++) {
      const v = [0, 1].flatMap((j) => [0, 1].map((i) => MASK4[(2 * cy + j) * 4 + 2 * cx + i]!));
      const a = (0.7 * (v[0]! + v[1]! + v[2]! + v[3]!)) / 4 / 255;
      assert.is(p.u(4 + cx, 3 + cy), blendValue(a, ORANGE.u, GREY));
      assert.is(p.v(4 + cx, 3 + cy), blendValue(a, ORANGE.v, GREY));
    }
  }
  // Nothing outside the mask's rectangle changed.
  for (let y = 0; y < 24; y++) {
    for (let x = 0; x < 32; x++) {
      if (x >= 8 && x < 12 && y >= 6 && y < 10) continue;
      assert.is(f.data[y * 32 + x], before[y * 32 + x]);
    }
  }
});

test('blendMask at odd offsets: every chroma sample is the mean coverage of its 2×2 block', () => {
  // A 7×5 soft mask at (7, 5): the window's edges cut chroma blocks in half on all sides.
  const mask = new Uint8Array(35).map((_, i) => (i * 53) % 256);
  const f = greyFrame('yuv420p', 24, 16);
  surfaceOf(f).blendMask(
    { data: mask, width: 7, height: 5, maxValue: 255 },
    { x: 7, y: 5, width: 7, height: 5 },
    ORANGE,
    0.9,
  );
  const cover = (x: number, y: number) =>
    x >= 7 && x < 14 && y >= 5 && y < 10 ? mask[(y - 5) * 7 + (x - 7)]! : 0;
  const p = yuv(f);
  for (let cy = 0; cy < 8; cy++) {
    for (let cx = 0; cx < 12; cx++) {
      const sum =
        cover(2 * cx, 2 * cy) +
        cover(2 * cx + 1, 2 * cy) +
        cover(2 * cx, 2 * cy + 1) +
        cover(2 * cx + 1, 2 * cy + 1);
      const a = (0.9 / 255 / 4) * sum;
      assert.is(p.u(cx, cy), sum ? blendValue(a, ORANGE.u, GREY) : GREY, `u ${cx},${cy}`);
      assert.is(p.v(cx, cy), sum ? blendValue(a, ORANGE.v, GREY) : GREY, `v ${cx},${cy}`);
    }
  }
});

test('blendMask in box coordinates: a 2×2 0/1 mask stretched over an 8×6 box (nearest)', () => {
  const f = greyFrame('rgb24', 32, 24);
  const mask = { data: new Uint8Array([1, 0, 0, 1]), width: 2, height: 2, maxValue: 1 };
  surfaceOf(f).blendMask(mask, { x: 4, y: 2, width: 8, height: 6 }, ORANGE, 0.4);
  const covered = (x: number, y: number) => x < 8 === y < 5; // top-left and bottom-right quadrants
  const want = [255, 140, 0].map((c) => blendValue(0.4, c, GREY));
  for (let y = 2; y < 8; y++) {
    for (let x = 4; x < 12; x++) {
      assert.equal(rgbAt(f, x, y), covered(x, y) ? want : [GREY, GREY, GREY], `${x},${y}`);
    }
  }
  assert.is(changedPixels(f).size, 2 * 4 * 3);
});

test('blendMask: values above maxValue count as full coverage, scaled by opacity', () => {
  const f = greyFrame('yuv420p', 8, 8);
  const mask = { data: new Uint8Array(64).fill(200), width: 8, height: 8, maxValue: 1 };
  surfaceOf(f).blendMask(mask, { x: 0, y: 0, width: 8, height: 8 }, ORANGE, 0.4);
  assert.is(yuv(f).y(3, 3), blendValue(0.4, ORANGE.y, GREY));
  assert.is(yuv(f).u(1, 1), blendValue(0.4, ORANGE.u, GREY));
});

test('blendMask partly outside the frame is clipped; wholly outside does nothing', () => {
  const f = greyFrame('yuv420p', 16, 16);
  const s = surfaceOf(f);
  const full = { data: new Uint8Array(64).fill(255), width: 8, height: 8, maxValue: 255 };
  s.blendMask(full, { x: -4, y: 12, width: 8, height: 8 }, ORANGE, 1);
  assert.equal(changedPixels(f), rectPixels(0, 12, 4, 16));
  s.blendMask(full, { x: 40, y: 40, width: 8, height: 8 }, ORANGE, 1);
  assert.equal(changedPixels(f), rectPixels(0, 12, 4, 16));
});

test('drawInstanceMask: a cropped source-pixel mask lands where the resize transform maps it', () => {
  // A 64×32 source scaled by 0.5 and shifted by (8, 20), as a resize stage would.
  const f = greyFrame('yuv420p', 64, 64);
  const tf = {
    scaleX: 0.5,
    scaleY: 0.5,
    offsetX: 8,
    offsetY: 20,
    sourceWidth: 64,
    sourceHeight: 32,
  };
  // The mask covers source [16, 32) × [8, 16); its bitmap starts at (12, 6).
  const data = new Uint8Array(24 * 12);
  for (let y = 2; y < 10; y++) for (let x = 4; x < 20; x++) data[y * 24 + x] = 1;
  drawInstanceMask(surfaceOf(f), { x: 12, y: 6, data, width: 24, height: 12 }, tf, ORANGE, 0.4);
  // Source [16, 32) × [8, 16) → frame [16, 24) × [24, 28).
  assert.equal(changedPixels(f), rectPixels(16, 24, 24, 28));
  assert.is(yuv(f).y(20, 25), blendValue(0.4, ORANGE.y, GREY));
});

// Polylines: the drawn pixels pass through every given point.
test('drawPolyline passes through its vertices and along its segments', () => {
  for (const t of [1, 3]) {
    const f = greyFrame('yuv420p', 200, 100);
    const pts = new Float32Array([10.5, 10.5, 100.5, 50.5, 150.5, 10.5, 150.5, 90.5]);
    drawPolyline(surfaceOf(f), pts, 4, t, ORANGE);
    const p = yuv(f);
    const on = (x: number, y: number) => p.y(Math.floor(x), Math.floor(y)) === ORANGE.y;
    for (let k = 0; k < 4; k++) assert.ok(on(pts[2 * k]!, pts[2 * k + 1]!), `vertex ${k}, t=${t}`);
    for (const u of [0.25, 0.5, 0.75]) {
      assert.ok(on(10.5 + 90 * u, 10.5 + 40 * u), `segment 1 at ${u}, t=${t}`);
      assert.ok(on(100.5 + 50 * u, 50.5 - 40 * u), `segment 2 at ${u}, t=${t}`);
      assert.ok(on(150.5, 10.5 + 80 * u), `segment 3 at ${u}, t=${t}`);
    }
    // Far from the line nothing changed, and the width is t across the line.
    assert.is(p.y(10, 90), GREY);
    assert.is(p.y(50, 80), GREY);
    let column = 0;
    for (let y = 0; y < 100; y++) if (p.y(55, y) === ORANGE.y) column++;
    assert.is(column, t, `width across a flat segment, t=${t}`);
  }
});

test('drawPolyline closed joins the last vertex to the first', () => {
  const f = greyFrame('rgb24', 64, 64);
  drawPolyline(surfaceOf(f), [10, 10, 50, 10, 50, 50], 3, 1, ORANGE, true);
  for (const [x, y] of [
    [30, 30],
    [20, 20],
    [40, 40],
  ]) {
    assert.equal(rgbAt(f, x!, y!), [255, 140, 0], `diagonal at ${x},${y}`);
  }
});

test('drawPolyline far outside the frame draws nothing', () => {
  const f = greyFrame('yuv420p', 64, 64);
  drawPolyline(surfaceOf(f), [-1e7, -5, 1e7, -5, 1e7, -1e7], 3, 4, ORANGE);
  assert.is(changedPixels(f).size, 0);
  // A line crossing the frame from far outside is drawn across it.
  drawPolyline(surfaceOf(f), [-1e7, 32, 1e7, 32], 2, 1, ORANGE);
  assert.equal(changedPixels(f), rectPixels(0, 32, 64, 33));
});

// Sizes follow the resolution: legible from 360p to 4K.
const sizes: [string, number, number, number, number][] = [
  ['360p', 640, 360, 2, 12],
  ['720p', 1280, 720, 2, 18],
  ['1080p', 1920, 1080, 4, 27],
  ['4K', 3840, 2160, 7, 54],
  ['portrait 1080×1920 follows the shorter side', 1080, 1920, 4, 27],
];
for (const [name, w, h, thickness, font] of sizes) {
  test(`auto sizes: ${name}`, () => {
    assert.is(autoThickness(w, h), thickness);
    assert.is(autoFontSize(w, h), font);
  });
}

test.run();
