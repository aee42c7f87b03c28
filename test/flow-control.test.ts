// Flow control on real ffmpeg sources: the in-flight bound, memory that does not
// depend on input length, and sinks that cannot slow each other down.
import { tap } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { t } from '../src/core/schema.ts';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { defineSink, defineStage } from '../src/core/component.ts';
import { silentLogger } from '../src/core/log.ts';
import { withTestComponents } from './helpers/registries.ts';

/** Counts frames between entering the first stage and being written by the probe sink. */
const probe = { inside: 0, peak: 0, written: [] as number[], slowWritten: [] as number[] };

const probeStage = defineStage({
  type: 'probe',
  doc: 'test: counts frames entering the pipeline',
  options: {},
  create: () =>
    tap(() => {
      probe.inside++;
      probe.peak = Math.max(probe.peak, probe.inside);
    }),
});

const probeSink = defineSink({
  type: 'probe',
  doc: 'test: a slowish lossless sink that counts what it writes',
  lossless: true,
  options: { delayMs: t.number({ doc: 'time per write', default: 0 }) },
  create: (config) => ({
    async write(frame) {
      if (config.delayMs > 0) await new Promise((r) => setTimeout(r, config.delayMs));
      else await new Promise((r) => setImmediate(r));
      probe.inside--;
      probe.written.push(frame.seq);
    },
    async close() {},
  }),
});

const slowSink = defineSink({
  type: 'slow',
  doc: 'test: a lossy sink far slower than the pipeline',
  lossless: false,
  options: {},
  create: () => ({
    async write(frame) {
      await new Promise((r) => setTimeout(r, 25));
      probe.slowWritten.push(frame.seq);
    },
    async close() {},
  }),
});

const registries = withTestComponents({ stages: [probeStage], sinks: [probeSink, slowSink] });

async function run(yaml: string) {
  probe.inside = 0;
  probe.peak = 0;
  probe.written = [];
  probe.slowWritten = [];
  const config = parsePipeline(yaml, 'test.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
  });
  const pool = (run as unknown as { opts: { pool: { allocated: number; outstanding: number } } })
    .opts.pool;
  const result = await run.run();
  return { result, pool, run };
}

const pipeline = (frames: number, maxInFlight: number) => `
maxInFlight: ${maxInFlight}
source: { type: testsrc, size: 64x64, rate: 1000, duration: ${frames / 1000} }
stages: [ { type: probe } ]
sinks: [ { type: probe, queue: 2 } ]
`;

test('the in-flight bound holds and memory does not grow with input length', async () => {
  const short = await run(pipeline(300, 3));
  assert.is(probe.written.length, 300);
  assert.equal(probe.written, [...Array(300).keys()], 'every frame, in order');
  assert.ok(short.result.peakInFlight <= 3, `peak in flight ${short.result.peakInFlight} ≤ 3`);
  // Frames are either in flight (≤ 3) or held by the sink (queue of 2 + 1 being written).
  assert.ok(probe.peak <= 3 + 2 + 1, `instrumented peak ${probe.peak} ≤ 6`);
  assert.is(short.result.peakInFlight, 3, 'the bound is reached, not just respected');

  const long = await run(pipeline(3000, 3));
  assert.is(probe.written.length, 3000);
  assert.ok(long.result.peakInFlight <= 3);
  assert.ok(probe.peak <= 6);
  // Buffers come from the pool, bounded by what can be held at once — in flight (3),
  // in the sink's queue (2) and being written (1), and one being read — whatever
  // the input's length: ten times the input, no more buffers.
  const bound = 3 + 2 + 1 + 1;
  assert.ok(short.pool.allocated <= bound, `short input: ${short.pool.allocated} buffers`);
  assert.ok(long.pool.allocated <= bound, `long input: ${long.pool.allocated} buffers`);
  assert.is(long.pool.outstanding, 0, 'every buffer went back to the pool');
});

test('maxInFlight: 1 processes strictly one frame at a time', async () => {
  const r = await run(pipeline(100, 1));
  assert.is(r.result.peakInFlight, 1);
  assert.is(probe.written.length, 100);
});

test('a slow lossy sink drops and counts; the lossless sink beside it gets every frame', async () => {
  const { result } = await run(`
maxInFlight: 4
source: { type: testsrc, size: 64x64, rate: 1000, duration: 0.4 }
stages: [ { type: probe } ]
sinks:
  - { type: probe }
  - { type: slow, queue: 2 }
`);
  assert.is(probe.written.length, 400, 'lossless sink: every frame');
  const slow = result.meters.find((m) => m.name === 'sink:slow')!;
  assert.ok(slow.dropped > 0, 'the slow sink dropped frames');
  assert.is(
    slow.dropped + probe.slowWritten.length,
    400,
    'every frame is either written or counted as dropped',
  );
  assert.ok(probe.slowWritten.length < 100, `slow sink wrote ${probe.slowWritten.length}`);
  assert.is(result.meters.find((m) => m.kind === 'source')!.framesOut, 400);
});

test('a slow lossless sink holds the pipeline back instead of losing frames', async () => {
  const { result } = await run(`
maxInFlight: 2
source: { type: testsrc, size: 64x64, rate: 1000, duration: 0.05 }
stages: [ { type: probe } ]
sinks: [ { type: probe, delayMs: 5, queue: 1 } ]
`);
  assert.is(probe.written.length, 50);
  assert.is(
    result.meters.reduce((a, m) => a + m.dropped, 0),
    0,
  );
  assert.ok(probe.peak <= 2 + 1 + 1);
});

test.run();
