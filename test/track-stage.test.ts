import { lastValueFrom, of, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../src/core/clock.ts';
import type { ComponentContext } from '../src/core/component.ts';
import { Detections } from '../src/core/detections.ts';
import type { Frame } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { silentLogger } from '../src/core/log.ts';
import { tracksOf } from '../src/core/tracks.ts';
import { trackStage } from '../src/stages/track.ts';

const ctx: ComponentContext = {
  name: 'stages[1] (track)',
  clock: systemClock,
  log: silentLogger,
  baseDir: process.cwd(),
  pool: new FramePool(),
  count: () => {},
  report: () => {},
  health: () => {},
  stream: undefined,
};

const defaults = {
  tracker: 'bytetrack' as 'bytetrack' | 'sort',
  highThreshold: 0.5,
  lowThreshold: 0.1,
  matchIou: 0.3,
  lostFrames: 30,
  minHits: 3,
  perClass: true,
};

function frame(seq: number, x?: number): Frame {
  const detections =
    x === undefined
      ? undefined
      : Detections.fromList([
          { box: [x, 10, x + 40, 90], score: 0.9, classId: 0, label: 'person' },
        ]);
  return {
    seq,
    pts: seq * 40_000,
    time: 0,
    width: 640,
    height: 480,
    format: 'rgb24',
    data: new Uint8Array(0),
    sourceId: 'test',
    meta: { timings: {}, ...(detections ? { detections } : {}) },
  };
}

async function run(frames: Frame[], config: Partial<typeof defaults> = {}) {
  const op = await trackStage.create({ ...defaults, ...config }, ctx);
  if (typeof op !== 'function') throw new Error('track stage should be a plain operator');
  return lastValueFrom(of(...frames).pipe(op, toArray()));
}

test('declares every option with its documented default', () => {
  const o = trackStage.options;
  assert.is(trackStage.type, 'track');
  assert.equal(o.tracker.values, ['bytetrack', 'sort']);
  assert.is(o.tracker.default, 'bytetrack');
  assert.is(o.highThreshold.default, 0.5);
  assert.is(o.lowThreshold.default, 0.1);
  assert.is(o.matchIou.default, 0.3);
  assert.is(o.lostFrames.default, 30);
  assert.is(o.minHits.default, 3);
  assert.is(o.perClass.default, true);
});

for (const tracker of ['bytetrack', 'sort'] as const) {
  test(`${tracker}: track ids on detections, confirmed tracks in meta.tracks, JSON without tentative ids`, async () => {
    const out = await run([frame(0, 100), frame(1, 104), frame(2, 108), frame(3, 112)], {
      tracker,
    });
    assert.equal(
      out.map((f) => [...f.meta.detections!.trackIds!]),
      [[-1], [-1], [1], [1]],
    );
    assert.equal(tracksOf(out[1]!), []);
    assert.equal(
      tracksOf(out[3]!)!.map((t) => [t.id, t.state]),
      [[1, 'tracked']],
    );
    // The output contract leaves tentative ids out.
    assert.is(out[0]!.meta.detections!.toList()[0]!.trackId, undefined);
    assert.is(out[3]!.meta.detections!.toList()[0]!.trackId, 1);
  });
}

test('a frame without detections passes through untouched', async () => {
  const [f] = await run([frame(0)]);
  assert.is(f!.meta.detections, undefined);
  assert.is(f!.meta.tracks, undefined);
});

test('an empty frame after confirmation lists the track as lost', async () => {
  const empty = frame(3);
  empty.meta.detections = Detections.empty();
  const out = await run([frame(0, 100), frame(1, 100), frame(2, 100), empty]);
  assert.equal(
    tracksOf(out[3]!)!.map((t) => [t.id, t.state, t.framesLost]),
    [[1, 'lost', 1]],
  );
});

test.run();
