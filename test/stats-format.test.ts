// Events in what a user reads: the summary table lists them by code in the
// declared order whatever order they happened in; the progress line totals them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpuLine, progressLine, summaryTable } from '../src/commands/stats-format.ts';
import type { MeterSnapshot } from '../src/core/meter.ts';

const zero = { p50: 0, p95: 0, max: 0 };
const meter = (name: string, kind: MeterSnapshot['kind'], events: MeterSnapshot['events']) => ({
  name,
  kind,
  framesIn: 10,
  framesOut: 10,
  dropped: 0,
  fps: 25,
  avgFps: 25,
  processMs: zero,
  queueWaitMs: zero,
  processHistogram: { le: [], counts: [], sum: 0, count: 0 },
  events,
});

// RECONNECT happened first, but CONNECTION_LOST is declared first.
const meters: MeterSnapshot[] = [
  meter('source:rtsp', 'source', { RECONNECT: 1, CONNECTION_LOST: 2 }),
  meter('sink:null', 'sink', {}),
];

test('the summary table lists events by code in EVENT_DOCS order', () => {
  const rows = summaryTable(meters).split('\n');
  assert.ok(rows[2]!.startsWith('source:rtsp '));
  assert.ok(rows[2]!.endsWith('  CONNECTION_LOST=2 RECONNECT=1'), rows[2]);
  assert.ok(rows[3]!.startsWith('sink:null '));
  assert.not.match(rows[3]!, /=/);
});

test('CPU: a column in seconds where measured, and the run in one line', () => {
  const withCpu = [
    { ...meter('detect', 'stage', {}), cpuMs: 8480 },
    { ...meter('sink:null', 'sink', {}), cpuMs: 4 },
  ];
  const cpu = {
    wallMs: 5000,
    totalMs: 9100,
    childrenMs: 1234,
    mainOutsideMs: 200,
    otherThreadsMs: 416,
  };
  const rows = summaryTable(withCpu, [], cpu).split('\n');
  assert.match(rows[0]!, / {2}max ms {2}cpu s {2}wait p50/);
  // Right-aligned under "cpu s": 8.48 and 0.00 (4 ms).
  const col = rows[0]!.indexOf('cpu s') + 'cpu s'.length;
  assert.is(rows[2]!.slice(col - 4, col), '8.48');
  assert.is(rows[3]!.slice(col - 4, col), '0.00');
  assert.is(rows[4], cpuLine(cpu));
  // 9.1 s of CPU in 5 s of wall time: 1.82 cores.
  assert.is(
    cpuLine(cpu, 2),
    'cpu: 9.10 s in 5.00 s = 1.82 of 2 cores (ffmpeg processes 1.23 s); in no component: main thread 0.20 s, other threads 0.42 s',
  );
  // Without figures (not Linux) the column is not there at all.
  assert.not.match(summaryTable(meters).split('\n')[0]!, /cpu/);
});

test('the progress line totals events, and says nothing of them when there are none', () => {
  assert.match(progressLine(meters, undefined, 1000), / · events 3 · /);
  assert.not.match(progressLine([meters[1]!], undefined, 1000), /events/);
});

test.run();
