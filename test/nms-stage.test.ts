import { lastValueFrom, of, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../src/core/clock.ts';
import type { ComponentContext } from '../src/core/component.ts';
import { Detections } from '../src/core/detections.ts';
import type { Frame } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import type { InstanceMask } from '../src/core/masks.ts';
import { silentLogger } from '../src/core/log.ts';
import { nmsStage } from '../src/stages/nms.ts';

const ctx: ComponentContext = {
  name: 'stages[0] (nms)',
  clock: systemClock,
  log: silentLogger,
  baseDir: process.cwd(),
  pool: new FramePool(),
  count: () => {},
  report: () => {},
  health: () => {},
  stream: undefined,
};

function frame(seq: number, detections?: Detections): Frame {
  return {
    seq,
    pts: seq * 40_000,
    time: 0,
    width: 64,
    height: 64,
    format: 'rgb24',
    data: new Uint8Array(0),
    sourceId: 'test',
    meta: { timings: {}, ...(detections ? { detections } : {}) },
  };
}

const defaults = { iou: 0.45, confidence: 0.25, maxDetections: 300, classAgnostic: false };

async function runStage(frames: Frame[], config: Partial<typeof defaults> = {}) {
  const op = await nmsStage.create({ ...defaults, ...config }, ctx);
  if (typeof op !== 'function') throw new Error('nms stage should be a plain operator');
  return lastValueFrom(of(...frames).pipe(op, toArray()));
}

const overlapping = () =>
  Detections.fromList(
    [
      { box: [0, 0, 10, 10], score: 0.9, classId: 0, label: 'person' },
      { box: [1, 1, 10, 10], score: 0.8, classId: 1, label: 'car' },
      { box: [0, 0, 10, 10], score: 0.2, classId: 0, label: 'person' },
    ],
    ['person', 'car'],
  );

test('declares every option with its documented default', () => {
  const o = nmsStage.options;
  assert.is(o.iou.default, 0.45);
  assert.is(o.confidence.default, 0.25);
  assert.is(o.maxDetections.default, 300);
  assert.is(o.classAgnostic.default, false);
  assert.is(nmsStage.type, 'nms');
});

test('class-aware by default: drops the low score, keeps the other class', async () => {
  const [f] = await runStage([frame(0, overlapping())]);
  const d = f!.meta.detections!;
  assert.equal(Array.from(d.classIds), [0, 1]);
  assert.equal(d.names, ['person', 'car']);
});

test('classAgnostic suppresses across classes', async () => {
  const [f] = await runStage([frame(0, overlapping())], { classAgnostic: true, confidence: 0 });
  assert.equal(Array.from(f!.meta.detections!.classIds), [0]);
});

test('frames without detections pass through unchanged; the input instance is not mutated', async () => {
  const original = overlapping();
  const plain = frame(1);
  const out = await runStage([plain, frame(2, original)], { maxDetections: 1 });
  assert.is(out[0], plain);
  assert.not.ok('detections' in out[0]!.meta);
  assert.is(out[1]!.meta.detections!.length, 1);
  assert.is(original.length, 3);
});

test('instance masks follow the detections they belong to', async () => {
  // One mask per detection, told apart by their width: masks[i] belongs to detection i.
  const mask = (width: number): InstanceMask => ({
    x: 0,
    y: 0,
    data: new Uint8Array(width),
    width,
    height: 1,
  });
  const f = frame(0, overlapping());
  f.meta.detections = f.meta.detections!.withMasks([mask(1), undefined, mask(3)]);
  const [out] = await runStage([f], { classAgnostic: true, confidence: 0 });
  // Only the 0.9 person is left (the car overlaps it by IoU 81/100 > 0.45): its mask with it.
  assert.equal(Array.from(out!.meta.detections!.scores), [Math.fround(0.9)]);
  assert.equal(
    out!.meta.detections!.masks?.map((m) => m?.width),
    [1],
  );
});

test.run();
