// A frame dropped at the live boundary must not take the stream's news with it:
// the discontinuity flag (tracker reset, JSON lines gap) and a health event ride
// on the next frame let through.
import { Subject } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame } from '../src/core/frame.ts';
import { LiveBoundary } from '../src/core/live-boundary.ts';

function frame(seq: number, meta: Partial<Frame['meta']> = {}): Frame {
  return {
    seq,
    pts: seq * 40_000,
    time: 0,
    width: 2,
    height: 2,
    format: 'yuv420p',
    data: new Uint8Array(0),
    sourceId: 'test',
    meta: { timings: {}, ...meta },
  };
}

function boundary(config: { capacity: number; maxLatencyMs?: number }, now = () => 0) {
  const discarded: number[] = [];
  const b = new LiveBoundary(
    { policy: 'drop-oldest', ...config },
    { now, taken: () => {}, discarded: (f) => discarded.push(f.seq) },
  );
  const input = new Subject<Frame>();
  const out: Frame[] = [];
  b.attach(input).subscribe((f) => out.push(f));
  return { b, input, out, discarded };
}

test('a dropped discontinuity (and health) goes on the next frame handed on', () => {
  const { b, input, out, discarded } = boundary({ capacity: 1 });
  input.next(frame(0, { discontinuity: true, health: { state: 'connected' } }));
  input.next(frame(1)); // drop-oldest: frame 0 goes
  b.request(2);
  input.next(frame(2));
  assert.equal(discarded, [0]);
  assert.equal(
    out.map((f) => [f.seq, f.meta.discontinuity ?? false, f.meta.health?.state]),
    [
      [1, true, 'connected'],
      [2, false, undefined],
    ],
  );
});

test('a late discontinuity frame passes its flag on too', () => {
  let now = 0;
  const { b, input, out, discarded } = boundary({ capacity: 4, maxLatencyMs: 100 }, () => now);
  input.next(frame(0, { discontinuity: true, capturedAt: 0 }));
  input.next(frame(1, { capturedAt: 150 }));
  now = 200; // frame 0 is 200 ms old, over the budget; frame 1 is 50 ms old
  b.request(1);
  assert.equal(discarded, [0]);
  assert.equal(
    out.map((f) => [f.seq, f.meta.discontinuity]),
    [[1, true]],
  );
});

test.run();
