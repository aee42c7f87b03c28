// The overlay stage's semantic tint and mask contours on grey frames, every
// pixel checked against values worked out here: a tinted luma (or RGB) pixel
// is round(a·c + (1−a)·128); a yuv420p chroma sample with n of its four luma
// pixels tinted is round(a/4·Σc + (1 − a·n/4)·128); the background class and
// letterbox bars stay grey; a contour is the mask's inner boundary, in the
// instance colour.
import { from, lastValueFrom, type OperatorFunction, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame } from '../src/core/frame.ts';
import type { SemanticMap } from '../src/core/segmentation.ts';
import { colourForId } from '../src/overlay/palette.ts';
import { overlayStage } from '../src/stages/overlay.ts';
import {
  changedPixels,
  detections,
  GREY,
  greyFrame,
  rectPixels,
  rgbAt,
  stageContext,
  yuv,
} from './helpers/overlay-frames.ts';

type OverlayConfig = Parameters<typeof overlayStage.create>[0];

const DRAW_NOTHING_ELSE: OverlayConfig = {
  boxes: false,
  labels: false,
  scores: true,
  colorBy: 'class',
  fontScale: 1,
  trails: 0,
  masks: true,
  maskOpacity: 0.4,
  maskContours: false,
  segmentation: true,
  segmentationOpacity: 0.4,
  hud: false,
};

async function run(f: Frame, options: Partial<OverlayConfig>): Promise<Frame> {
  const op = (await overlayStage.create(
    { ...DRAW_NOTHING_ELSE, ...options },
    stageContext(),
  )) as OperatorFunction<Frame, Frame>;
  const [out] = await lastValueFrom(from([f]).pipe(op, toArray()));
  return out!;
}

const LABELS = ['background', 'person', 'car'];

/** A map from rows of class ids. */
function mapOf(rows: number[][]): SemanticMap {
  return {
    width: rows[0]!.length,
    height: rows.length,
    classes: Uint8Array.from(rows.flat()),
    labels: LABELS,
  };
}

const tint = (a: number, c: number) => Math.round(a * c + (1 - a) * GREY);

test('yuv420p: classes tinted at segmentationOpacity, background grey, chroma by quarters', async () => {
  // 6×4: person (1) and car (2) beside background (0).
  const rows = [
    [0, 1, 1, 0, 2, 2],
    [0, 1, 1, 0, 2, 2],
    [0, 0, 1, 0, 0, 0],
    [0, 0, 0, 0, 0, 2],
  ];
  const f = greyFrame('yuv420p', 6, 4);
  f.meta.segmentation = mapOf(rows);
  const out = yuv(await run(f, { segmentationOpacity: 0.5 }));
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 6; x++) {
      const id = rows[y]![x]!;
      assert.is(out.y(x, y), id === 0 ? GREY : tint(0.5, colourForId(id).y), `Y ${x},${y}`);
    }
  for (let cy = 0; cy < 2; cy++)
    for (let cx = 0; cx < 3; cx++) {
      const ids = [
        rows[2 * cy]![2 * cx]!,
        rows[2 * cy]![2 * cx + 1]!,
        rows[2 * cy + 1]![2 * cx]!,
        rows[2 * cy + 1]![2 * cx + 1]!,
      ].filter((id) => id !== 0);
      const q = 0.5 / 4;
      const su = ids.reduce((s, id) => s + colourForId(id).u, 0);
      const sv = ids.reduce((s, id) => s + colourForId(id).v, 0);
      const keep = 1 - q * ids.length;
      assert.is(
        out.u(cx, cy),
        ids.length ? Math.round(q * su + keep * GREY) : GREY,
        `U ${cx},${cy}`,
      );
      assert.is(
        out.v(cx, cy),
        ids.length ? Math.round(q * sv + keep * GREY) : GREY,
        `V ${cx},${cy}`,
      );
    }
  // Sample (1,1) covers row 2–3, columns 2–3: one person pixel, so a quarter weight.
  const c1 = colourForId(1);
  assert.is(out.u(1, 1), Math.round(0.125 * c1.u + 0.875 * GREY));
});

test('rgb24 through a letterbox resize: the map is stretched 2×, the bars stay grey', async () => {
  // Source 3×2 shown at 2× below a 2-row bar: frame = source·2 + (0, 2), frame 6×8.
  const rows = [
    [1, 0, 2],
    [0, 1, 0],
  ];
  const f = greyFrame('rgb24', 6, 8);
  f.meta.segmentation = mapOf(rows);
  f.meta.transform = {
    scaleX: 2,
    scaleY: 2,
    offsetX: 0,
    offsetY: 2,
    sourceWidth: 3,
    sourceHeight: 2,
  };
  const out = await run(f, {});
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 6; x++) {
      const id = y >= 2 && y < 6 ? rows[(y - 2) >> 1]![x >> 1]! : 0;
      const c = colourForId(id);
      const want = id === 0 ? [GREY, GREY, GREY] : [tint(0.4, c.r), tint(0.4, c.g), tint(0.4, c.b)];
      assert.equal(rgbAt(out, x, y), want, `${x},${y}`);
    }
});

test('segmentationClasses picks the classes; segmentation: false draws no map', async () => {
  const rows = [[0, 1, 2, 2]];
  const f = greyFrame('rgb24', 4, 1);
  f.meta.segmentation = mapOf(rows);
  const out = await run(f, { segmentationClasses: ['car'] });
  assert.equal(changedPixels(out), new Set(['2,0', '3,0']));
  const g = greyFrame('rgb24', 4, 1);
  g.meta.segmentation = mapOf(rows);
  assert.equal(changedPixels(await run(g, { segmentation: false })).size, 0);
});

test('mask contours: the inner boundary of the mask, 1 px at 2-px lines, in the instance colour', async () => {
  const f = greyFrame('rgb24', 16, 12);
  // A 6×5 mask at (3, 2) with a notch: cell (5, 4) of it is outside.
  const data = new Uint8Array(30).fill(1);
  data[4 * 6 + 5] = 0;
  f.meta.detections = detections([{ box: [3, 2, 9, 7], classId: 2 }]).withMasks([
    { x: 3, y: 2, width: 6, height: 5, data },
  ]);
  const out = await run(f, { maskOpacity: 0, maskContours: true });
  // Inside pixels with a pixel outside among their 8 neighbours.
  const inside = (x: number, y: number) =>
    x >= 3 && x < 9 && y >= 2 && y < 7 && !(x === 8 && y === 6);
  const want = new Set<string>();
  for (let y = 0; y < 12; y++)
    for (let x = 0; x < 16; x++) {
      if (!inside(x, y)) continue;
      let edge = false;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) if (!inside(x + dx, y + dy)) edge = true;
      if (edge) want.add(`${x},${y}`);
    }
  // Hand check of the notch: (7, 5) touches it diagonally, (6, 4) does not.
  assert.ok(want.has('7,5') && !want.has('6,4'));
  assert.equal(changedPixels(out), want);
  const c = colourForId(2);
  assert.equal(rgbAt(out, 3, 2), [c.r, c.g, c.b]);
});

test('mask contours with thickness 3 are 2 px, and sit on top of the blended mask', async () => {
  const f = greyFrame('yuv420p', 20, 16);
  f.meta.detections = detections([{ box: [4, 4, 14, 12], classId: 1 }]).withMasks([
    { x: 4, y: 4, width: 10, height: 8, data: new Uint8Array(80).fill(1) },
  ]);
  const out = await run(f, { thickness: 3, maskContours: true });
  const c = colourForId(1);
  const planes = yuv(out);
  const ring = new Set(
    [...rectPixels(4, 4, 14, 12)].filter((p) => !rectPixels(6, 6, 12, 10).has(p)),
  );
  for (const key of rectPixels(0, 0, 20, 16)) {
    const [x, y] = key.split(',').map(Number) as [number, number];
    const want = ring.has(key) ? c.y : rectPixels(6, 6, 12, 10).has(key) ? tint(0.4, c.y) : GREY;
    assert.is(planes.y(x, y), want, key);
  }
});

test.run();
