import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameInterval } from '../src/tracking/frame-interval.ts';
import { KalmanBox } from '../src/tracking/kalman-box.ts';

const close = (a: number, b: number, eps: number, what: string) =>
  assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} vs ${b} (±${eps})`);

test('KalmanBox: starts on the measured box, at rest', () => {
  const kf = new KalmanBox([10, 20, 50, 100]);
  assert.equal(kf.box(), [10, 20, 50, 100]);
  // State: centre (30, 60), aspect 40/80 = 0.5, height 80, zero velocities.
  assert.equal([...kf.mean], [30, 60, 0.5, 80, 0, 0, 0, 0]);
  kf.predict(5);
  assert.equal(kf.box(), [10, 20, 50, 100]); // no velocity yet: stays put
});

test('KalmanBox: learns a constant velocity and extrapolates it', () => {
  // A box moving +6 px/frame in x, +2 in y, for 30 frames.
  const kf = new KalmanBox([0, 0, 40, 80]);
  for (let f = 1; f <= 30; f++) {
    kf.predict(1);
    kf.update([6 * f, 2 * f, 6 * f + 40, 2 * f + 80]);
  }
  close(kf.mean[4]!, 6, 0.05, 'vx');
  close(kf.mean[5]!, 2, 0.05, 'vy');
  close(kf.mean[7]!, 0, 0.05, 'vh');
  // Ten frames ahead in one step lands where the object will be.
  kf.predict(10);
  const [x1, y1, x2, y2] = kf.box();
  close(x1, 240, 1, 'x1');
  close(y1, 80, 1, 'y1');
  close(x2 - x1, 40, 0.5, 'width');
  close(y2 - y1, 80, 0.5, 'height');
});

test('KalmanBox: one predict(dt) moves the mean like dt predict(1) calls, with more uncertainty than one frame', () => {
  const make = () => {
    const kf = new KalmanBox([0, 0, 40, 80]);
    for (let f = 1; f <= 5; f++) {
      kf.predict(1);
      kf.update([5 * f, 0, 5 * f + 40, 80]);
    }
    return kf;
  };
  const once = make();
  const steps = make();
  once.predict(4);
  for (let k = 0; k < 4; k++) steps.predict(1);
  for (let i = 0; i < 8; i++) close(once.mean[i]!, steps.mean[i]!, 1e-9, `mean[${i}]`);
  const oneFrame = make();
  oneFrame.predict(1);
  assert.ok(once.cov[0]! > oneFrame.cov[0]!, 'x variance grows with the gap');
});

test('KalmanBox: freezeHeight stops a lost box from growing', () => {
  const kf = new KalmanBox([0, 0, 40, 80]);
  for (let f = 1; f <= 10; f++) {
    kf.predict(1);
    kf.update([0, 0, 40 + 2 * f, 80 + 4 * f]); // growing
  }
  kf.freezeHeight();
  const h = kf.mean[3]!;
  kf.predict(5);
  assert.is(kf.mean[3], h);
});

// Frames elapsed per update, for timestamp sequences in µs.
const intervalCases: { name: string; given?: number; pts: number[]; elapsed: number[] }[] = [
  // Known frame rate (25 fps): a 3-frame drop shows as 4.
  { name: 'from fps', given: 40_000, pts: [0, 40_000, 200_000], elapsed: [0, 1, 4] },
  // Learned: the smallest of the first intervals is the nominal one; a drop
  // before the minimum is seen counts as 1 at first (the best guess then).
  { name: 'learned', pts: [0, 80_000, 120_000, 160_000, 320_000], elapsed: [0, 1, 1, 1, 4] },
  // A timestamp that does not advance (a reset) counts as one frame, not as negative time.
  { name: 'reset', given: 40_000, pts: [0, 40_000, 0, 40_000], elapsed: [0, 1, 1, 1] },
  // Jitter: fractional frames, not rounded.
  { name: 'jitter', given: 40_000, pts: [0, 42_000, 80_000], elapsed: [0, 1.05, 0.95] },
];
for (const c of intervalCases) {
  test(`FrameInterval: ${c.name}`, () => {
    const fi = new FrameInterval(c.given);
    const got = c.pts.map((p) => Math.round(fi.advance(p) * 1000) / 1000);
    assert.equal(got, c.elapsed);
  });
}

test('FrameInterval.fromFps: 30 fps → 33 333 µs; unknown fps learns', () => {
  assert.is(Math.round(FrameInterval.fromFps(30).us!), 33_333);
  assert.is(FrameInterval.fromFps(undefined).us, undefined);
  assert.is(FrameInterval.fromFps(0).us, undefined);
});

test.run();
