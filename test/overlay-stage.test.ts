// The overlay stage end to end on generated frames: boxes where the detections
// say (also after a resize), colours per class or track, trails through past
// centres, counting lines and zones, masks, the HUD's FPS in virtual time,
// steady-state caching, and the config schema.
import { from, lastValueFrom, type OperatorFunction, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SinkDefinition, SourceDefinition, StageDefinition } from '../src/core/component.ts';
import { parsePipeline } from '../src/config/load.ts';
import type { Frame } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { Registry } from '../src/core/registry.ts';
import { Annotator } from '../src/overlay/annotator.ts';
import { FpsMeter } from '../src/overlay/fps.ts';
import { colourForId } from '../src/overlay/palette.ts';
import { LINE_COLOUR, ZONE_COLOUR } from '../src/overlay/regions.ts';
import { nullSink } from '../src/sinks/null.ts';
import { testsrcSource } from '../src/sources/testsrc.ts';
import { overlayStage } from '../src/stages/overlay.ts';
import { resizeStage } from '../src/stages/resize.ts';
import {
  changedPixels,
  detections,
  fakeClock,
  GREY,
  greyFrame,
  rectPixels,
  rgbAt,
  stageContext,
  yuv,
} from './helpers/overlay-frames.ts';

type OverlayConfig = Parameters<typeof overlayStage.create>[0];

/** Every option at its default, as the config loader would fill them in. */
const DEFAULTS: OverlayConfig = {
  boxes: true,
  labels: true,
  scores: true,
  colorBy: 'auto',
  fontScale: 1,
  trails: 30,
  masks: true,
  maskOpacity: 0.4,
  maskContours: false,
  segmentation: true,
  segmentationOpacity: 0.4,
  hud: false,
};

async function run(frames: Frame[], options: Partial<OverlayConfig>, clock = fakeClock()) {
  const op = (await overlayStage.create(
    { ...DEFAULTS, ...options },
    stageContext(clock),
  )) as OperatorFunction<Frame, Frame>;
  return lastValueFrom(from(frames).pipe(op, toArray()));
}

/** The outline drawInward produces for an integer box and thickness. */
function outline(l: number, t: number, r: number, b: number, k: number): Set<string> {
  const inner = rectPixels(l + k, t + k, r - k, b - k);
  return new Set([...rectPixels(l, t, r, b)].filter((p) => !inner.has(p)));
}

/** Luma pixels that differ between two buffers of a w×h yuv420p frame. */
function lumaDiff(before: Uint8Array, after: Uint8Array, w: number, h: number): Set<string> {
  const out = new Set<string>();
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (before[y * w + x] !== after[y * w + x]) out.add(`${x},${y}`);
    }
  return out;
}

test('boxes only: exactly the outlines, at auto thickness (2 px at 320×240)', async () => {
  const f = greyFrame('yuv420p', 320, 240);
  f.meta.detections = detections([
    { box: [100, 60, 200, 140], classId: 2 },
    { box: [20, 150, 60, 230], classId: 0 },
  ]);
  const [out] = await run([f], { labels: false });
  assert.equal(
    changedPixels(out!),
    new Set([...outline(100, 60, 200, 140, 2), ...outline(20, 150, 60, 230, 2)]),
  );
  const p = yuv(out!);
  assert.is(p.y(100, 60), colourForId(2).y);
  assert.is(p.y(20, 150), colourForId(0).y);
  assert.is(p.u(50, 30), colourForId(2).u);
  assert.is(p.v(50, 30), colourForId(2).v);
});

test('rgb24 frames: same outline, box colour in RGB', async () => {
  const f = greyFrame('rgb24', 320, 240);
  f.meta.detections = detections([{ box: [100, 60, 200, 140], classId: 1 }]);
  const [out] = await run([f], { labels: false, thickness: 3 });
  assert.equal(changedPixels(out!), outline(100, 60, 200, 140, 3));
  const c = colourForId(1);
  assert.equal(rgbAt(out!, 150, 61), [c.r, c.g, c.b]);
});

// Colour choice: a table of (colorBy, track id) → which palette entry.
const colourCases: [string, OverlayConfig['colorBy'], number | undefined, number][] = [
  ['auto with a confirmed track uses the track id', 'auto', 7, 7],
  ['auto without a tracker uses the class id', 'auto', undefined, 2],
  ['auto with a tentative track falls back to the class', 'auto', -1, 2],
  ['class ignores track ids', 'class', 7, 2],
  ['track with a confirmed track', 'track', 9, 9],
];
for (const [name, colorBy, trackId, paletteId] of colourCases) {
  test(`colour: ${name}`, async () => {
    const f = greyFrame('yuv420p', 160, 120);
    f.meta.detections = detections([
      { box: [40, 40, 100, 100], classId: 2, ...(trackId === undefined ? {} : { trackId }) },
    ]);
    const [out] = await run([f], { labels: false, colorBy });
    assert.is(yuv(out!).y(40, 40), colourForId(paletteId).y);
  });
}

test('colours are stable per id and differ for consecutive ids', () => {
  const key = (id: number) => {
    const c = colourForId(id);
    return `${c.y},${c.u},${c.v}`;
  };
  assert.is(colourForId(3), colourForId(3));
  assert.is(key(3), key(3 + 24));
  for (let i = 0; i < 24; i++) assert.is.not(key(i), key(i + 1));
  assert.is(new Set(Array.from({ length: 24 }, (_, i) => key(i))).size, 24);
});

test('after a resize stage, boxes in source pixels are drawn at the mapped positions', async () => {
  // 640×360 source letterboxed into 320×240: scale 0.5, bars of 30 rows top and bottom.
  const src = greyFrame('yuv420p', 640, 360);
  const pool = new FramePool();
  const resize = (await resizeStage.create(
    { width: 320, height: 240, mode: 'letterbox' },
    { ...stageContext(), pool },
  )) as OperatorFunction<Frame, Frame>;
  const [resized] = await lastValueFrom(from([src]).pipe(resize, toArray()));
  assert.equal(resized!.meta.transform!.offsetY, 30);
  resized!.meta.detections = detections([{ box: [200, 100, 400, 300] }]);
  const before = Uint8Array.from(resized!.data);
  const [out] = await run([resized!], { labels: false });
  // frame = source·0.5 + (0, 30): [100, 80, 200, 180].
  assert.equal(lumaDiff(before, out!.data, 320, 240), outline(100, 80, 200, 180, 2));
});

test('boxes and labels partly outside the frame are clipped without errors', async () => {
  const f = greyFrame('yuv420p', 160, 120);
  f.meta.detections = detections([
    { box: [-40, -30, 50, 40], score: 0.5, trackId: 1 },
    { box: [120, 90, 400, 300], score: 0.7, trackId: 2 },
    { box: [500, 500, 600, 600], score: 0.7, trackId: 3 },
    { box: [Number.NaN, 0, 10, 10], score: 0.7 },
  ]);
  const [out] = await run([f], {});
  const changed = changedPixels(out!);
  assert.ok(changed.has('0,39') && changed.has('49,0'), 'the visible part of the first box');
  assert.ok(changed.has('159,90') && changed.has('120,119'), 'the visible part of the second box');
});

test('labels: a non-background region above each box, text inside it', async () => {
  const f = greyFrame('yuv420p', 640, 360);
  f.meta.detections = detections([{ box: [200, 150, 300, 300], score: 0.87, trackId: 12 }]);
  const [out] = await run([f], { boxes: false });
  const changed = [...changedPixels(out!)].map((k) => k.split(',').map(Number) as [number, number]);
  assert.ok(changed.length > 500);
  // All of it above the box top (row 150), starting at the box's left edge.
  assert.is(Math.max(...changed.map(([, y]) => y)), 149);
  assert.is(Math.min(...changed.map(([x]) => x)), 200);
  const p = yuv(out!);
  const levels = new Set(changed.map(([x, y]) => p.y(x, y)));
  assert.ok(levels.size > 5, 'anti-aliased text over a flat background');
});

test('trails pass through the last N centres of confirmed tracks only', async () => {
  // Track 4 moves right 10 px a frame; a tentative detection moves alongside.
  const frames = Array.from({ length: 6 }, (_, i) => {
    const f = greyFrame('yuv420p', 320, 240, i);
    f.meta.detections = detections([
      { box: [40 + 10 * i, 80, 60 + 10 * i, 120], trackId: 4 },
      { box: [40 + 10 * i, 180, 60 + 10 * i, 220], trackId: -2 },
    ]);
    return f;
  });
  const out = await run(frames, { boxes: false, labels: false, trails: 4, thickness: 1 });
  const last = yuv(out[5]!);
  const c = colourForId(4);
  // Centres of frames 2…5: x = 70, 80, 90, 100 at y = 100 (the trail is 4 long).
  for (const x of [70, 75, 80, 85, 90, 95, 100]) assert.is(last.y(x, 100), c.y, `x=${x}`);
  assert.is(last.y(65, 100), GREY, 'the centre of frame 1 (x = 60) has dropped out of the trail');
  assert.is(last.y(100, 200), GREY, 'a tentative track has no trail');
  // The first frame has a single centre: no trail yet.
  assert.is(changedPixels(out[0]!).size, 0);
});

test("trails follow the tracker's filtered boxes when meta.tracks is published", async () => {
  const frames = Array.from({ length: 3 }, (_, i) => {
    const f = greyFrame('yuv420p', 320, 240, i);
    // Detections jitter vertically; the tracker's boxes (centre y = 100) do not.
    f.meta.detections = detections([
      { box: [40 + 20 * i, 70 + 15 * (i % 2), 60 + 20 * i, 110 + 15 * (i % 2)], trackId: 5 },
    ]);
    f.meta.tracks = [
      {
        id: 5,
        state: 'tracked',
        box: [40 + 20 * i, 80, 60 + 20 * i, 120],
        classId: 0,
        score: 0.9,
        framesLost: 0,
        hits: i + 1,
      },
      {
        id: 6,
        state: 'lost',
        box: [200, 200, 220, 220],
        classId: 0,
        score: 0.9,
        framesLost: 1,
        hits: 9,
      },
    ];
    return f;
  });
  const out = await run(frames, { boxes: false, labels: false, thickness: 1 });
  const p = yuv(out[2]!);
  for (const x of [50, 60, 70, 80, 90]) assert.is(p.y(x, 100), colourForId(5).y, `x=${x}`);
  assert.is(p.y(60, 105), GREY, 'not through the jittering detection centres');
});

test('trails: 0 turns them off', async () => {
  const frames = [0, 1, 2].map((i) => {
    const f = greyFrame('yuv420p', 160, 120, i);
    f.meta.detections = detections([{ box: [20 + 10 * i, 20, 40 + 10 * i, 40], trackId: 1 }]);
    return f;
  });
  const out = await run(frames, { boxes: false, labels: false, trails: 0 });
  assert.is(changedPixels(out[2]!).size, 0);
});

test('lines and zones from the options, mapped like boxes, with their counts', async () => {
  const f = greyFrame('yuv420p', 320, 240);
  f.meta.counts = {
    lines: { door: { in: 3, out: 1 } },
    zones: {
      lobby: {
        occupancy: 2,
        entered: 5,
        exited: 3,
        inside: [
          { trackId: 1, seconds: 2 },
          { trackId: 4, seconds: 0.5 },
        ],
      },
    },
    // The overlay's own lines and zones (below) are drawn instead of the count stage's.
    geometry: { lines: [], zones: [] },
  };
  const [out] = await run([f], {
    thickness: 1,
    lines: [{ name: 'door', from: [10, 200], to: [310, 200] }],
    zones: [
      {
        name: 'lobby',
        polygon: [
          [20, 20],
          [120, 20],
          [120, 100],
          [20, 100],
        ],
      },
    ],
  });
  const p = yuv(out!);
  assert.is(p.y(30, 200), LINE_COLOUR.y);
  assert.is(p.y(300, 200), LINE_COLOUR.y);
  assert.is(p.y(20, 60), ZONE_COLOUR.y);
  assert.is(p.y(120, 60), ZONE_COLOUR.y);
  // The counts label sits above the line's midpoint.
  const above = [...changedPixels(out!)].filter((k) => {
    const [x, y] = k.split(',').map(Number) as [number, number];
    return y < 200 && y > 150 && x >= 160;
  });
  assert.ok(above.length > 100, 'a label above the line');
});

test("without own lines, the geometry of the count stage's snapshot is drawn", async () => {
  const f = greyFrame('yuv420p', 320, 240);
  f.meta.counts = {
    lines: { gate: { in: 0, out: 0 } },
    zones: {},
    geometry: { lines: [{ name: 'gate', from: [0, 50], to: [320, 50] }], zones: [] },
  };
  const [out] = await run([f], { thickness: 1 });
  assert.is(yuv(out!).y(5, 50), LINE_COLOUR.y);
});

test('instance masks of the detections are blended at maskOpacity', async () => {
  const f = greyFrame('yuv420p', 160, 120);
  const data = new Uint8Array(40 * 40).fill(1);
  f.meta.detections = detections([{ box: [40, 40, 80, 80], classId: 1 }]).withMasks([
    { x: 40, y: 40, width: 40, height: 40, data },
  ]);
  const [out] = await run([f], { boxes: false, labels: false, maskOpacity: 0.4 });
  const c = colourForId(1);
  assert.is(yuv(out!).y(60, 60), Math.round(0.4 * c.y + 0.6 * GREY));
  assert.equal(changedPixels(out!), rectPixels(40, 40, 80, 80));
});

test('FpsMeter: frames completed per second over a sliding window, in virtual time', () => {
  const m = new FpsMeter(1000);
  assert.is(m.fps(), undefined);
  for (let i = 0; i < 10; i++) m.tick(i * 40);
  assert.is(m.fps(), 25);
  // A stall: the window only holds the frames of the last second.
  for (let i = 0; i < 5; i++) m.tick(2000 + i * 100);
  assert.is(m.fps(), 10);
});

test('HUD: drawn in the top-left corner, one more line per count', async () => {
  const clock = fakeClock();
  const frames = Array.from({ length: 3 }, (_, i) => greyFrame('yuv420p', 640, 360, i));
  const annotator = new Annotator({ ...DEFAULTS, hud: true }, clock);
  const height = (f: Frame) =>
    Math.max(...[...changedPixels(f)].map((k) => Number(k.split(',')[1])));
  annotator.annotate(frames[0]!);
  clock.advance(40);
  annotator.annotate(frames[1]!);
  frames[2]!.meta.counts = {
    lines: { door: { in: 1, out: 0 } },
    zones: {},
    geometry: { lines: [], zones: [] },
  };
  clock.advance(40);
  annotator.annotate(frames[2]!);
  const changed = [...changedPixels(frames[1]!)].map(
    (k) => k.split(',').map(Number) as [number, number],
  );
  assert.ok(Math.max(...changed.map(([x]) => x)) < 320, 'left half');
  assert.ok(Math.max(...changed.map(([, y]) => y)) < 90, 'top quarter');
  assert.ok(height(frames[2]!) > height(frames[1]!) + 10, 'a counts line below');
});

test('steady state: labels with changing scores rasterize nothing new after warm-up', async () => {
  const clock = fakeClock();
  const annotator = new Annotator({ ...DEFAULTS, hud: true }, clock);
  const frame = greyFrame('yuv420p', 1280, 720);
  const make = (seq: number) =>
    detections(
      Array.from({ length: 20 }, (_, k) => ({
        box: [20 + 60 * k, 100 + ((seq * 3) % 200), 70 + 60 * k, 250 + ((seq * 3) % 200)] as [
          number,
          number,
          number,
          number,
        ],
        classId: k % 3,
        score: 0.5 + ((seq * 7 + k) % 50) / 100,
        trackId: k + 1,
      })),
    );
  for (let seq = 0; seq < 200; seq++) {
    frame.meta.detections = make(seq);
    annotator.annotate({ ...frame, seq });
    clock.advance(40);
  }
  const warm = annotator.text!.rasterized;
  for (let seq = 200; seq < 400; seq++) {
    frame.meta.detections = make(seq);
    annotator.annotate({ ...frame, seq });
    clock.advance(40);
  }
  // Only the HUD's FPS/clock texts may be new (they change twice a second at most).
  assert.ok(annotator.text!.rasterized - warm <= 20, `${annotator.text!.rasterized - warm} new`);
});

test('config: defaults, lines and zones validate; bad values name the path and range', () => {
  const sources = new Registry<SourceDefinition>('source').add('testsrc', testsrcSource as never);
  const stages = new Registry<StageDefinition>('stage').add('overlay', overlayStage as never);
  const sinks = new Registry<SinkDefinition>('sink').add('null', nullSink as never);
  const registries = { sources, stages, sinks };
  const ok = parsePipeline(
    [
      'source: { type: testsrc }',
      'stages:',
      '  - type: overlay',
      '    lines: [{ name: door, from: [0, 10], to: [100, 10] }]',
      '    zones: [{ name: lobby, polygon: [[0, 0], [10, 0], [10, 10]] }]',
      'sinks: [{ type: null }]',
    ].join('\n'),
    'p.yaml',
    { registries, env: {} },
  );
  const options = ok.stages[0]!.options as Record<string, unknown>;
  assert.is(options.colorBy, 'auto');
  assert.is(options.trails, 30);
  assert.is(options.maskOpacity, 0.4);
  assert.is(options.hud, false);
  assert.is(options.thickness, undefined);
  assert.equal(options.lines, [{ name: 'door', from: [0, 10], to: [100, 10] }]);
  assert.throws(
    () =>
      parsePipeline(
        'source: { type: testsrc }\nstages: [{ type: overlay, maskOpacity: 2, colorBy: rainbow }]\nsinks: [{ type: null }]',
        'p.yaml',
        { registries, env: {} },
      ),
    (err: Error) => /maskOpacity/.test(err.message) && /colorBy/.test(err.message),
  );
});

test.run();
