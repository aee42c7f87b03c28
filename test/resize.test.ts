// Resize on real pixel buffers: geometry of letterbox and stretch, pad colour,
// and the transform back to source pixels.
import { from, lastValueFrom, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../src/core/clock.ts';
import type { ComponentContext } from '../src/core/component.ts';
import { type Frame, frameByteLength } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { composeTransform, place, toSource } from '../src/core/geometry.ts';
import { silentLogger } from '../src/core/log.ts';
import { resizeStage } from '../src/stages/resize.ts';

function ctx(pool: FramePool): ComponentContext {
  return {
    name: 'resize',
    clock: systemClock,
    log: silentLogger,
    baseDir: '.',
    pool,
    count: () => {},
    report: () => {},
    health: () => {},
    stream: undefined,
  };
}

/** A yuv420p frame whose luma is a horizontal ramp and chroma constant. */
function rampFrame(pool: FramePool, width: number, height: number): Frame {
  const data = pool.acquire(frameByteLength('yuv420p', width, height));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = Math.round((x / (width - 1)) * 200) + 20;
  data.fill(90, width * height);
  return {
    seq: 0,
    pts: 0,
    time: 0,
    width,
    height,
    format: 'yuv420p',
    data,
    sourceId: 't',
    meta: { timings: {} },
  };
}

async function resize(
  frame: Frame,
  pool: FramePool,
  options: { width: number; height: number; mode: 'letterbox' | 'stretch' },
) {
  const op = await resizeStage.create(options, ctx(pool));
  const [out] = await lastValueFrom(from([frame]).pipe(op as never, toArray()));
  return out as Frame;
}

// Placement table: source size → canvas size, expected offsets and placed size.
const placements = [
  // wide source into a square: bars top and bottom
  {
    src: [1280, 720],
    dst: [640, 640],
    mode: 'letterbox',
    want: { offsetX: 0, offsetY: 140, width: 640, height: 360 },
  },
  // tall source into a wide canvas: bars left and right
  {
    src: [480, 640],
    dst: [640, 480],
    mode: 'letterbox',
    want: { offsetX: 140, offsetY: 0, width: 360, height: 480 },
  },
  // same aspect: no bars
  {
    src: [1920, 1080],
    dst: [640, 360],
    mode: 'letterbox',
    want: { offsetX: 0, offsetY: 0, width: 640, height: 360 },
  },
  // stretch fills the canvas whatever the aspect
  {
    src: [1280, 720],
    dst: [640, 640],
    mode: 'stretch',
    want: { offsetX: 0, offsetY: 0, width: 640, height: 640 },
  },
] as const;

for (const p of placements) {
  test(`${p.mode} ${p.src.join('x')} → ${p.dst.join('x')}`, () => {
    const got = place(p.src[0], p.src[1], p.dst[0], p.dst[1], p.mode, 2);
    assert.equal(
      { offsetX: got.offsetX, offsetY: got.offsetY, width: got.width, height: got.height },
      p.want,
    );
  });
}

test('letterboxed frame: black bars, the image in the middle, transform maps back exactly', async () => {
  const pool = new FramePool();
  const out = await resize(rampFrame(pool, 320, 180), pool, {
    width: 160,
    height: 160,
    mode: 'letterbox',
  });
  assert.is(out.width, 160);
  assert.is(out.height, 160);
  assert.is(out.data.length, frameByteLength('yuv420p', 160, 160));
  // 320x180 → 160x90 centred; offsets are kept even for 4:2:0 chroma, so rows
  // 34..123 hold the image and the rest is Y=16.
  assert.is(out.data[10 * 160 + 80], 16, 'top bar is black');
  assert.is(out.data[150 * 160 + 80], 16, 'bottom bar is black');
  assert.is(out.data[160 * 160 + 5 * 80 + 40], 128, 'bar chroma is neutral');
  const left = out.data[80 * 160 + 0]!;
  const right = out.data[80 * 160 + 159]!;
  assert.ok(left < 30 && right > 210, `ramp kept: ${left}..${right}`);
  const t = out.meta.transform!;
  assert.equal(toSource(t, 0, 34), [0, 0]);
  assert.equal(toSource(t, 160, 124), [320, 180]);
  assert.is(t.sourceWidth, 320);
  assert.is(pool.outstanding, 1, 'the input buffer went back to the pool');
});

test('resizing twice composes the transforms', () => {
  const first = composeTransform(undefined, place(1280, 720, 640, 360, 'stretch'), 1280, 720);
  const second = composeTransform(first, place(640, 360, 320, 320, 'letterbox', 2), 640, 360);
  const [x, y] = toSource(second, 160, 160);
  assert.ok(
    Math.abs(x - 640) < 1e-9 && Math.abs(y - 360) < 1e-9,
    `centre maps to centre: ${x},${y}`,
  );
});

test('a frame already at the target size passes through untouched', async () => {
  const pool = new FramePool();
  const frame = rampFrame(pool, 64, 64);
  const data = frame.data;
  const out = await resize(frame, pool, { width: 64, height: 64, mode: 'letterbox' });
  assert.is(out.data, data);
  assert.is(out.meta.transform, undefined);
});

test.run();
