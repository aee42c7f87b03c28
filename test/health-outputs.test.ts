// A live source's health reaches every output: the jsonl sink writes a
// `"type":"health"` record per report (each component's state at open first),
// `--json-stats` gets each component's latest state with counts by state, and
// the summary table a line per component. The source is a fake that reports
// through ctx.health as a reconnecting camera would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { healthStats } from '../src/commands/json-stats.ts';
import { summaryTable } from '../src/commands/stats-format.ts';
import { defineSource } from '../src/core/component.ts';
import { fakeSource, runPipeline } from './helpers/fake-pipeline.ts';
import { tempDir } from './helpers/media.ts';
import { withTestComponents } from './helpers/registries.ts';

const { dir, cleanup } = tempDir();
test.after(cleanup);

/** Connected before the run; loses the camera before frame 3 and gets it back before frame 4. */
const frames = fakeSource('frames', (seq, ctx) => {
  if (seq === 3) {
    ctx.count('CONNECTION_LOST');
    ctx.health({ state: 'reconnecting', attempt: 1, delayMs: 400.4, detail: 'connection refused' });
  }
  if (seq === 4) {
    ctx.health({ state: 'connecting' });
    ctx.health({ state: 'connected' });
    ctx.count('RECONNECT');
  }
});
const camera = defineSource({
  type: 'camera-like',
  doc: 'test: a source that reports health',
  options: frames.options,
  create(config, ctx) {
    ctx.health({ state: 'connecting' });
    ctx.health({ state: 'connected' });
    return frames.create(config, ctx);
  },
});
const registries = withTestComponents({ sources: [camera] });

async function run() {
  const path = join(dir, 'out.jsonl');
  const yaml = [
    'source: { type: camera-like, frames: 6 }',
    `sinks: [ { type: jsonl, path: "${path}" } ]`,
  ].join('\n');
  const r = await runPipeline(yaml, registries);
  assert.is(r.error, undefined);
  const lines = readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { ...r, lines };
}

test('jsonl: one health record per report, frame records unchanged', async () => {
  const { lines } = await run();
  const health = lines.filter((l) => l.type === 'health');
  const framesOut = lines.filter((l) => l.type === undefined);
  assert.equal(
    framesOut.map((f) => f.seq),
    [0, 1, 2, 3, 4, 5],
    'every frame, in order, without a type',
  );
  assert.equal(Object.keys(framesOut[0]!), ['seq', 'pts', 'time', 'width', 'height', 'detections']);
  // The state at open (connected: the latest before the sink opened), then each report.
  assert.equal(
    health.map(({ time, ...rest }) => {
      assert.match(String(time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      return rest;
    }),
    [
      { type: 'health', component: 'source:camera-like', state: 'connected' },
      {
        type: 'health',
        component: 'source:camera-like',
        state: 'reconnecting',
        attempt: 1,
        delayMs: 400,
        detail: 'connection refused',
      },
      { type: 'health', component: 'source:camera-like', state: 'connecting' },
      { type: 'health', component: 'source:camera-like', state: 'connected' },
    ],
  );
  // A record is written as the report happens: before the frame it preceded.
  const at = (pred: (l: Record<string, unknown>) => boolean) => lines.findIndex(pred);
  assert.ok(at((l) => l.state === 'reconnecting') < at((l) => l.seq === 3));
});

test('json-stats health: the latest state, reports by state, reconnects', async () => {
  const { result } = await run();
  const stats = healthStats(result!.health, result!.meters);
  assert.equal(Object.keys(stats), ['source:camera-like']);
  const { time, ...rest } = stats['source:camera-like']!;
  assert.match(time, /^\d{4}-\d\d-\d\dT/);
  assert.equal(rest, {
    state: 'connected',
    states: { connecting: 2, connected: 2, reconnecting: 1 },
    reconnects: 1,
  });
});

test('the summary table ends with each live component’s health and reconnects', async () => {
  const { result } = await run();
  const table = summaryTable(result!.meters, result!.health).split('\n');
  assert.is(table.at(-1), 'health: source:camera-like connected · 1 reconnect');
  assert.ok(table[0]!.includes(' latency '), 'with a latency column');
  const sink = table.find((l) => l.startsWith('sink:jsonl'))!;
  assert.match(sink, / \d+\.\d\/\d+\.\d$/, 'the sink row shows latency p50/p95');
});

test.run();
