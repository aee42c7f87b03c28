// The effects stage on hand-made frames: blurred pixels are the box mean of
// the original (computed here by brute force), pixelated pixels their block's
// mean, replaced pixels the colour or the image's pixel; every pixel outside
// the selection is exactly as it was. Also through a resize transform, for
// instance masks and boxes, for the background, and the stage's errors and
// pass-through count.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, type OperatorFunction, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SinkDefinition, SourceDefinition, StageDefinition } from '../src/core/component.ts';
import { parsePipeline } from '../src/config/load.ts';
import type { EventCode } from '../src/core/events.ts';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { type Frame, frameByteLength, type PixelFormat } from '../src/core/frame.ts';
import { Registry } from '../src/core/registry.ts';
import type { SemanticMap } from '../src/core/segmentation.ts';
import { rgbToYuv601 } from '../src/overlay/colour.ts';
import { nullSink } from '../src/sinks/null.ts';
import { testsrcSource } from '../src/sources/testsrc.ts';
import { effectsStage } from '../src/stages/effects.ts';
import { tempDir } from './helpers/media.ts';
import { detections, stageContext } from './helpers/overlay-frames.ts';

type EffectsConfig = Parameters<typeof effectsStage.create>[0];

const DEFAULTS: EffectsConfig = {
  effect: 'blur',
  target: 'classes',
  classes: ['person'],
  boxes: false,
  strength: 16,
  blockSize: 16,
  color: '#000000',
};

async function run(frames: Frame[], options: Partial<EffectsConfig>) {
  const counted: EventCode[] = [];
  const ctx = { ...stageContext(), count: (e: EventCode) => counted.push(e) };
  const op = (await effectsStage.create({ ...DEFAULTS, ...options }, ctx)) as OperatorFunction<
    Frame,
    Frame
  >;
  const out = await lastValueFrom(from(frames).pipe(op, toArray()));
  return { out, counted };
}

/** A frame whose every byte differs from its neighbours, so any mean is a real computation. */
function patterned(format: PixelFormat, width: number, height: number): Frame {
  const data = new Uint8Array(frameByteLength(format, width, height));
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + ((i * i) % 11) * 5) % 251;
  return {
    seq: 0,
    pts: 0,
    time: 0,
    width,
    height,
    format,
    data,
    sourceId: 'test',
    meta: { timings: {} },
  };
}

/** A semantic map: `person` (1) inside [x0, x1) × [y0, y1), `background` (0) elsewhere. */
function personMap(w: number, h: number, x0: number, y0: number, x1: number, y1: number) {
  const classes = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) classes[y * w + x] = 1;
  return { width: w, height: h, classes, labels: ['background', 'person'] } satisfies SemanticMap;
}

/** The yuv420p planes of a w×h frame as [offset, width, height]. */
function planes(w: number, h: number): [number, number, number][] {
  const cw = Math.ceil(w / 2);
  const ch = Math.ceil(h / 2);
  return [
    [0, w, h],
    [w * h, cw, ch],
    [w * h + cw * ch, cw, ch],
  ];
}

/** Brute-force box mean of the (2r+1)² window clipped to the plane. */
function boxMean(
  d: Uint8Array,
  off: number,
  pw: number,
  ph: number,
  x: number,
  y: number,
  r: number,
) {
  let sum = 0;
  let n = 0;
  for (let yy = Math.max(0, y - r); yy <= Math.min(ph - 1, y + r); yy++)
    for (let xx = Math.max(0, x - r); xx <= Math.min(pw - 1, x + r); xx++) {
      sum += d[off + yy * pw + xx]!;
      n++;
    }
  return Math.round(sum / n);
}

/** Whether chroma sample (cx, cy) has a luma pixel inside `inLuma`. */
function chromaTouched(cx: number, cy: number, inLuma: (x: number, y: number) => boolean) {
  return (
    inLuma(2 * cx, 2 * cy) ||
    inLuma(2 * cx + 1, 2 * cy) ||
    inLuma(2 * cx, 2 * cy + 1) ||
    inLuma(2 * cx + 1, 2 * cy + 1)
  );
}

test('blur (yuv420p): the person box of pixels holds box means of the original, all else exact', async () => {
  const f = patterned('yuv420p', 20, 14);
  const before = f.data.slice();
  f.meta.segmentation = personMap(20, 14, 4, 3, 11, 8);
  const { out } = await run([f], { strength: 2 });
  const d = out[0]!.data;
  const inPerson = (x: number, y: number) => x >= 4 && x < 11 && y >= 3 && y < 8;
  const [[, w, h], [uOff, cw, ch], [vOff]] = planes(20, 14) as [
    [number, number, number],
    [number, number, number],
    [number, number, number],
  ];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const want = inPerson(x, y) ? boxMean(before, 0, w, h, x, y, 2) : before[y * w + x];
      assert.is(d[y * w + x], want, `Y ${x},${y}`);
    }
  // Chroma: radius 1 (half of 2), at every sample touching the person.
  for (const off of [uOff, vOff])
    for (let cy = 0; cy < ch; cy++)
      for (let cx = 0; cx < cw; cx++) {
        const i = off + cy * cw + cx;
        const want = chromaTouched(cx, cy, inPerson)
          ? boxMean(before, off, cw, ch, cx, cy, 1)
          : before[i];
        assert.is(d[i], want, `chroma ${off} ${cx},${cy}`);
      }
});

test('blur at the frame edge: the window is clipped, so corner means divide by fewer pixels', async () => {
  const f = patterned('rgb24', 9, 7);
  const before = f.data.slice();
  f.meta.segmentation = personMap(9, 7, 0, 0, 3, 2);
  const { out } = await run([f], { strength: 3 });
  // (0,0) with r = 3: the window is [0,3]×[0,3], 16 pixels, per channel.
  for (let k = 0; k < 3; k++) {
    let sum = 0;
    for (let y = 0; y <= 3; y++) for (let x = 0; x <= 3; x++) sum += before[(y * 9 + x) * 3 + k]!;
    assert.is(out[0]!.data[k], Math.round(sum / 16));
  }
  for (let i = 0; i < before.length; i++) {
    const p = Math.floor(i / 3);
    if (p % 9 < 3 && Math.floor(p / 9) < 2) continue;
    assert.is(out[0]!.data[i], before[i], `byte ${i}`);
  }
});

test('pixelate (yuv420p): selected pixels take their 4×4 block mean, chroma its 2×2 block mean', async () => {
  const f = patterned('yuv420p', 16, 12);
  const before = f.data.slice();
  // Person covers part of four blocks: x 2–5, y 3–9.
  f.meta.segmentation = personMap(16, 12, 2, 3, 6, 10);
  const { out } = await run([f], { effect: 'pixelate', blockSize: 4 });
  const d = out[0]!.data;
  const inPerson = (x: number, y: number) => x >= 2 && x < 6 && y >= 3 && y < 10;
  const blockMean = (off: number, pw: number, ph: number, x: number, y: number, b: number) => {
    const bx = Math.floor(x / b) * b;
    const by = Math.floor(y / b) * b;
    let sum = 0;
    let n = 0;
    for (let yy = by; yy < Math.min(ph, by + b); yy++)
      for (let xx = bx; xx < Math.min(pw, bx + b); xx++) {
        sum += before[off + yy * pw + xx]!;
        n++;
      }
    return Math.round(sum / n);
  };
  for (let y = 0; y < 12; y++)
    for (let x = 0; x < 16; x++) {
      const want = inPerson(x, y) ? blockMean(0, 16, 12, x, y, 4) : before[y * 16 + x];
      assert.is(d[y * 16 + x], want, `Y ${x},${y}`);
    }
  for (const off of [192, 192 + 48])
    for (let cy = 0; cy < 6; cy++)
      for (let cx = 0; cx < 8; cx++) {
        const want = chromaTouched(cx, cy, inPerson)
          ? blockMean(off, 8, 6, cx, cy, 2)
          : before[off + cy * 8 + cx];
        assert.is(d[off + cy * 8 + cx], want, `chroma ${off} ${cx},${cy}`);
      }
});

test('replace (rgb24) through a resize: an instance mask in source pixels lands scaled and offset', async () => {
  // Source 10×6 shown at 2× with a 3-row letterbox bar: frame = source·2 + (0, 3).
  const f = patterned('rgb24', 20, 18);
  const before = f.data.slice();
  const cells = Uint8Array.from([1, 1, 0, 1, 1, 1]); // 3×2 at source (4, 1)
  f.meta.detections = detections([{ box: [4, 1, 7, 3], classId: 0 }]).withMasks([
    { x: 4, y: 1, width: 3, height: 2, data: cells },
  ]);
  f.meta.transform = {
    scaleX: 2,
    scaleY: 2,
    offsetX: 0,
    offsetY: 3,
    sourceWidth: 10,
    sourceHeight: 6,
  };
  const { out } = await run([f], { effect: 'replace', color: '#10c080' });
  const inMask = (x: number, y: number) => {
    const sx = Math.floor(x / 2) - 4;
    const sy = Math.floor((y - 3) / 2) - 1;
    return y >= 3 && sx >= 0 && sx < 3 && sy >= 0 && sy < 2 && cells[sy * 3 + sx] === 1;
  };
  let replaced = 0;
  for (let y = 0; y < 18; y++)
    for (let x = 0; x < 20; x++) {
      const i = (y * 20 + x) * 3;
      const got = [...out[0]!.data.subarray(i, i + 3)];
      if (inMask(x, y)) {
        replaced++;
        assert.equal(got, [0x10, 0xc0, 0x80], `${x},${y}`);
      } else assert.equal(got, [...before.subarray(i, i + 3)], `${x},${y}`);
    }
  assert.is(replaced, 5 * 4);
});

test('replace the background (yuv420p): every non-person pixel is the colour; the person is exact', async () => {
  const f = patterned('yuv420p', 12, 10);
  const before = f.data.slice();
  f.meta.segmentation = personMap(12, 10, 3, 2, 8, 9);
  const { out } = await run([f], { effect: 'replace', target: 'background', color: '#00ff00' });
  const [y0, u0, v0] = rgbToYuv601(0, 255, 0);
  // Hand value: BT.601 limited-range green is Y 145, U 54, V 34.
  assert.equal([y0, u0, v0], [145, 54, 34]);
  const d = out[0]!.data;
  const isBackground = (x: number, y: number) =>
    x < 12 && y < 10 && !(x >= 3 && x < 8 && y >= 2 && y < 9);
  for (let y = 0; y < 10; y++)
    for (let x = 0; x < 12; x++)
      assert.is(d[y * 12 + x], isBackground(x, y) ? 145 : before[y * 12 + x], `Y ${x},${y}`);
  for (const [off, value] of [
    [120, 54],
    [150, 34],
  ] as const)
    for (let cy = 0; cy < 5; cy++)
      for (let cx = 0; cx < 6; cx++) {
        const i = off + cy * 6 + cx;
        assert.is(
          d[i],
          chromaTouched(cx, cy, isBackground) ? value : before[i],
          `chroma ${cx},${cy}`,
        );
      }
});

test('replace with an image: decoded once by ffmpeg, stretched to the frame, copied where selected', async () => {
  const { dir, cleanup } = tempDir('framewire-effects-');
  try {
    // A solid 4×4 picture written losslessly from raw RGB.
    const raw = join(dir, 'bg.rgb');
    writeFileSync(raw, Buffer.from(Array.from({ length: 16 }, () => [0x33, 0x66, 0xcc]).flat()));
    const png = join(dir, 'bg.png');
    execFileSync(ffmpegPath, [
      '-v',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      '4x4',
      '-i',
      raw,
      png,
    ]);
    const frames = [0, 1].map(() => patterned('rgb24', 8, 6));
    const before = frames[0]!.data.slice();
    for (const f of frames) f.meta.segmentation = personMap(8, 6, 0, 0, 8, 3);
    const { out } = await run(frames, { effect: 'replace', target: 'background', image: png });
    for (const f of out) {
      for (let p = 0; p < 48; p++) {
        const got = [...f.data.subarray(3 * p, 3 * p + 3)];
        const want = p >= 24 ? [0x33, 0x66, 0xcc] : [...before.subarray(3 * p, 3 * p + 3)];
        assert.equal(got, want, `pixel ${p}`);
      }
    }
  } finally {
    cleanup();
  }
});

test('boxes: a detector without masks selects the whole box of a chosen label, not other labels', async () => {
  const f = patterned('rgb24', 10, 8);
  const before = f.data.slice();
  f.meta.detections = detections([
    { box: [1.5, 2, 4, 5], classId: 0 },
    { box: [6, 0, 9, 3], classId: 2 },
  ]);
  const { out } = await run([f], { effect: 'replace', boxes: true, color: '#ffffff' });
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 10; x++) {
      const i = (y * 10 + x) * 3;
      // The box [1.5, 4) × [2, 5) covers pixels 1–3 (any pixel it touches).
      const inBox = x >= 1 && x < 4 && y >= 2 && y < 5;
      const want = inBox ? [255, 255, 255] : [...before.subarray(i, i + 3)];
      assert.equal([...out[0]!.data.subarray(i, i + 3)], want, `${x},${y}`);
    }
});

test('frames with nothing to select by pass on untouched, each counted as EFFECT_SKIPPED', async () => {
  const a = patterned('yuv420p', 8, 8);
  const b = patterned('yuv420p', 8, 8);
  b.meta.detections = detections([{ box: [0, 0, 8, 8], classId: 0 }]); // no masks, boxes off
  const c = patterned('yuv420p', 8, 8);
  c.meta.segmentation = personMap(8, 8, 0, 0, 0, 0); // a map without a person: nothing to blur
  const before = a.data.slice();
  const { out, counted } = await run([a, b, c], {});
  for (const f of out) assert.equal(f.data, before);
  assert.equal(counted, ['EFFECT_SKIPPED', 'EFFECT_SKIPPED']);
});

test('a class no model knows fails the run, listing the labels it does know', async () => {
  const f = patterned('yuv420p', 8, 8);
  f.meta.segmentation = personMap(8, 8, 0, 0, 4, 4);
  try {
    await run([f], { classes: ['persn'] });
    assert.unreachable('should have failed');
  } catch (err) {
    const e = err as Error & { code?: string; hint?: string };
    assert.is(e.code, 'CONFIG_INVALID');
    assert.match(e.message, "unknown class 'persn'");
    assert.match(e.hint ?? '', 'background, person');
  }
});

test('config: defaults; a missing image and a bad colour are refused at validation', () => {
  const sources = new Registry<SourceDefinition>('source').add('testsrc', testsrcSource as never);
  const stages = new Registry<StageDefinition>('stage').add('effects', effectsStage as never);
  const sinks = new Registry<SinkDefinition>('sink').add('null', nullSink as never);
  const registries = { sources, stages, sinks };
  const ok = parsePipeline(
    'source: { type: testsrc }\nstages: [{ type: effects }]\nsinks: [{ type: null }]',
    'p.yaml',
    {
      registries,
      env: {},
    },
  );
  assert.equal(ok.stages[0]!.options, { ...DEFAULTS });
  assert.throws(
    () =>
      parsePipeline(
        'source: { type: testsrc }\nstages: [{ type: effects, effect: replace, image: no/such.png, color: green }]\nsinks: [{ type: null }]',
        'p.yaml',
        { registries, env: {} },
      ),
    (err: Error) =>
      /image file not found: .*no\/such\.png/.test(err.message) &&
      /color must be #rrggbb/.test(err.message),
  );
});

test.run();
