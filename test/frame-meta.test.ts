// Frame metadata is declared, key by key: the typed accessors, and (checked by
// the type checker, which runs over tests) that a free-form key or a
// wrongly-shaped value no longer compiles.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countsOf } from '../src/core/counts.ts';
import { Detections } from '../src/core/detections.ts';
import type { Frame } from '../src/core/frame.ts';
import type { InstanceMask } from '../src/core/masks.ts';
import { tracksOf } from '../src/core/tracks.ts';

function frame(): Frame {
  return {
    seq: 0,
    pts: 0,
    time: 0,
    width: 4,
    height: 4,
    format: 'rgb24',
    data: new Uint8Array(48),
    sourceId: 'test',
    meta: { timings: {} },
  };
}

const mask = (width: number): InstanceMask => ({
  x: 0,
  y: 0,
  data: new Uint8Array(width),
  width,
  height: 1,
});

const twoDetections = () =>
  Detections.fromList([
    { box: [0, 0, 1, 1], score: 0.9, classId: 0, label: 'a' },
    { box: [2, 2, 3, 3], score: 0.8, classId: 0, label: 'a' },
  ]);

test('accessors read nothing from a frame no stage has filled in', () => {
  const f = frame();
  assert.is(tracksOf(f), undefined);
  assert.is(countsOf(f), undefined);
});

test('masks travel inside Detections: select, filter and withTrackIds keep them lined up', () => {
  const d = twoDetections().withMasks([mask(1), undefined]);
  assert.equal(
    d.select([1, 0, 1]).masks!.map((m) => m?.width),
    [undefined, 1, undefined],
  );
  assert.equal(
    d.filter((i) => i === 0).masks!.map((m) => m?.width),
    [1],
  );
  assert.equal(
    d.withTrackIds(new Int32Array([4, 5])).masks!.map((m) => m?.width),
    [1, undefined],
  );
  assert.is(twoDetections().select([0]).masks, undefined);
});

test('Detections refuses masks that do not line up with its entries', () => {
  assert.throws(() => twoDetections().withMasks([mask(1)]), /masks has 1 entries, expected 2/);
});

test('the meta keys are declared: wrong shapes and free-form keys are type errors', () => {
  const f = frame();
  // @ts-expect-error no free-form keys: a new result gets a declared key in core/frame.ts
  f.meta.countGeometry = { lines: [], zones: [] };
  // @ts-expect-error line totals are numbers
  f.meta.counts = { lines: { door: 'bad' }, zones: {}, geometry: { lines: [], zones: [] } };
  // @ts-expect-error health states are a closed set
  f.meta.health = { state: 'sleeping' };
  f.meta.health = { state: 'reconnecting', attempt: 2, delayMs: 400 };
  assert.is(f.meta.health.state, 'reconnecting');
});

test.run();
