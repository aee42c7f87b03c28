// Meters read only the injected clock, so FPS windows and percentiles are exact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualTimeScheduler } from 'rxjs';
import { schedulerClock } from '../src/core/clock.ts';
import { Meter } from '../src/core/meter.ts';

function fakeClock() {
  let now = 0;
  const scheduler = new VirtualTimeScheduler();
  return {
    clock: { ...schedulerClock(scheduler), now: () => now },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

test('FPS is completions per second over the sliding window', () => {
  const { clock, advance } = fakeClock();
  const meter = new Meter('stage', 'stage', clock, 1000);
  // 10 frames per second for 3 s, then 40 per second for 1 s.
  for (let i = 0; i < 30; i++) {
    advance(100);
    meter.frameOut();
  }
  assert.is(meter.fps(), 10);
  for (let i = 0; i < 40; i++) {
    advance(25);
    meter.frameOut();
  }
  assert.is(meter.fps(), 40, 'the window forgets the slower past');
  advance(500);
  assert.is(meter.fps(), 20, 'half the window is empty');
});

test('before a whole window has passed, FPS divides by the time elapsed', () => {
  const { clock, advance } = fakeClock();
  const meter = new Meter('stage', 'stage', clock, 2000);
  meter.frameIn();
  for (let i = 0; i < 5; i++) {
    advance(100);
    meter.frameOut();
  }
  assert.is(meter.fps(), 10);
});

test('percentiles and max of processing time; counts and events', () => {
  const { clock } = fakeClock();
  const meter = new Meter('detect', 'stage', clock);
  for (let ms = 1; ms <= 100; ms++) {
    meter.frameIn();
    meter.frameOut(ms, 0.5);
  }
  meter.drop(3);
  meter.count('FRAME_CORRUPT');
  meter.count('FRAME_CORRUPT');
  const s = meter.snapshot();
  assert.equal(s.processMs, { p50: 51, p95: 96, max: 100 });
  assert.equal(s.queueWaitMs, { p50: 0.5, p95: 0.5, max: 0.5 });
  assert.is(s.framesIn, 100);
  assert.is(s.framesOut, 100);
  assert.is(s.dropped, 3);
  assert.equal(s.events, { FRAME_CORRUPT: 2 });
});

test('an idle meter reports zeros, not NaN', () => {
  const { clock } = fakeClock();
  const s = new Meter('sink', 'sink', clock).snapshot();
  assert.is(s.fps, 0);
  assert.is(s.avgFps, 0);
  assert.equal(s.processMs, { p50: 0, p95: 0, max: 0 });
});

test.run();
