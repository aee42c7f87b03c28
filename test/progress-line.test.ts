// The terminal progress line as a pure function of meter snapshots: percent and
// ETA appear only when the source knows its total; values computed by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clockTime, progressLine } from '../src/commands/stats-format.ts';
import type { MeterSnapshot } from '../src/core/meter.ts';

const timing = { p50: 0, p95: 0, max: 0 };
function meter(
  name: string,
  kind: MeterSnapshot['kind'],
  framesOut: number,
  fps: number,
  p50 = 0,
): MeterSnapshot {
  return {
    name,
    kind,
    framesIn: framesOut,
    framesOut,
    dropped: 0,
    fps,
    avgFps: fps,
    processMs: { ...timing, p50 },
    queueWaitMs: timing,
    processHistogram: { le: [], counts: [], sum: 0, count: 0 },
    events: {},
  };
}

/** A file pipeline after `done` frames: source, decode at 2.5 ms, one sink at `fps`. */
const meters = (done: number, fps: number) => [
  meter('source:file', 'source', done, fps),
  meter('decode', 'stage', done, fps, 2.5),
  meter('sink:jsonl', 'sink', done, fps),
];

// Each case: frames done, total (undefined = unknown), sink fps, elapsed ms, the line.
const cases = [
  {
    why: 'a quarter done at 50 fps: 750 frames left take 15 s',
    done: 250,
    total: 1000,
    fps: 50,
    elapsed: 5000,
    line: '250/1000 frames · 25% · 50.0 fps · ETA 0:15 · slowest decode 2.5 ms · dropped 0 · 5 s',
  },
  {
    why: 'percent rounds down (2/3 = 66.7%), ETA rounds up: 1 frame at 0.4 fps is 2.5 s → 0:03',
    done: 2,
    total: 3,
    fps: 0.4,
    elapsed: 5000,
    line: '2/3 frames · 66% · 0.4 fps · ETA 0:03 · slowest decode 2.5 ms · dropped 0 · 5 s',
  },
  {
    why: 'over an hour left: 216000 frames at 50 fps = 4320 s = 1:12:00',
    done: 4000,
    total: 220_000,
    fps: 50,
    elapsed: 80_000,
    line: '4000/220000 frames · 1% · 50.0 fps · ETA 1:12:00 · slowest decode 2.5 ms · dropped 0 · 80 s',
  },
  {
    why: 'finished: 100%, no ETA',
    done: 300,
    total: 300,
    fps: 30,
    elapsed: 10_000,
    line: '300/300 frames · 100% · 30.0 fps · slowest decode 2.5 ms · dropped 0 · 10 s',
  },
  {
    why: 'stalled (0 fps): percent but no ETA, never a division by zero',
    done: 10,
    total: 40,
    fps: 0,
    elapsed: 3000,
    line: '10/40 frames · 25% · 0.0 fps · slowest decode 2.5 ms · dropped 0 · 3 s',
  },
  {
    why: 'unknown total (a loop, a camera): neither percent nor ETA',
    done: 120,
    total: undefined,
    fps: 24,
    elapsed: 5000,
    line: '120 frames · 24.0 fps · slowest decode 2.5 ms · dropped 0 · 5 s',
  },
];

for (const c of cases) {
  test(`progress line: ${c.why}`, () => {
    assert.is(progressLine(meters(c.done, c.fps), c.total, c.elapsed), c.line);
  });
}

// Each case: seconds and how the ETA reads.
const clocks: [number, string][] = [
  [0, '0:00'],
  [0.2, '0:01'], // rounds up: never "0:00" while frames remain
  [59, '0:59'],
  [59.5, '1:00'],
  [61, '1:01'],
  [3599, '59:59'],
  [3600, '1:00:00'],
  [3725, '1:02:05'],
];
for (const [seconds, text] of clocks) {
  test(`clockTime(${seconds}) is ${text}`, () => {
    assert.is(clockTime(seconds), text);
  });
}

test.run();
