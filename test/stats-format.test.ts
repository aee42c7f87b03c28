// Events in what a user reads: the summary table lists them by code in the
// declared order whatever order they happened in; the progress line totals them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { progressLine, summaryTable } from '../src/commands/stats-format.ts';
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

test('the progress line totals events, and says nothing of them when there are none', () => {
  assert.match(progressLine(meters, undefined, 1000), / · events 3 · /);
  assert.not.match(progressLine([meters[1]!], undefined, 1000), /events/);
});

test.run();
