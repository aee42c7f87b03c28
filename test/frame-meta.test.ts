// Frame metadata is declared, key by key: the typed accessors, and (checked by
// the type checker, which runs over tests) that a free-form key or a
// wrongly-shaped value no longer compiles.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countsOf } from '../src/core/counts.ts';
import { Detections } from '../src/core/detections.ts';
import type { Frame } from '../src/core/frame.ts';
import { type InstanceMask, masksOf, selectMasks } from '../src/core/masks.ts';
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
  data: new Uint8Array(width),
  width,
  height: 1,
  space: 'box',
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
  assert.is(masksOf(f), undefined);
});

const maskCases: { name: string; masks: (InstanceMask | undefined)[]; expect: number[] | null }[] =
  [
    // One entry per detection: the masks as they are.
    { name: 'aligned', masks: [mask(1), mask(2)], expect: [1, 2] },
    // A stage selected detections without their masks: none, rather than the wrong ones.
    { name: 'one short', masks: [mask(1)], expect: null },
    { name: 'one too many', masks: [mask(1), mask(2), mask(3)], expect: null },
  ];
for (const c of maskCases) {
  test(`masksOf: ${c.name}`, () => {
    const f = frame();
    f.meta.detections = twoDetections();
    f.meta.masks = { instances: c.masks };
    const got = masksOf(f);
    assert.equal(got ? got.map((m) => m!.width) : null, c.expect);
  });
}

test('selectMasks picks by index and order, as Detections.select does', () => {
  const layer = { instances: [mask(1), undefined, mask(3)] };
  assert.equal(
    selectMasks(layer, [2, 0, 1]).instances.map((m) => m?.width),
    [3, 1, undefined],
  );
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
