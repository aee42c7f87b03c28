// Live sources share one declaration of `queue`, `dropPolicy` and
// `maxLatencyMs`: a new live source (a fake camera here) spreads it and gets the
// same defaults, ranges, docs and errors as testsrc, and the assembler hands the
// values to the runner's live queue (the source itself keeps no queue).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { liveSourceOptions } from '../src/core/live-source-options.ts';
import { parsePipeline } from '../src/config/load.ts';
import { t } from '../src/core/schema.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { defineSource } from '../src/core/component.ts';
import { ConfigError } from '../src/core/errors.ts';
import { asLiveSource } from '../src/core/live-source.ts';
import { silentLogger } from '../src/core/log.ts';
import { testsrcSource } from '../src/sources/testsrc.ts';
import { fakeSource } from './helpers/fake-pipeline.ts';
import { withTestComponents } from './helpers/registries.ts';

const inner = fakeSource('inner');

/** A camera-like source declared the way rtsp/camera will be: its own options plus the shared ones. */
const fakeCamera = defineSource({
  type: 'fake-camera',
  doc: 'test: a live source',
  options: { device: t.string({ doc: 'device', default: '/dev/video0' }), ...liveSourceOptions },
  async create(_config, ctx) {
    return asLiveSource(await inner.create({ frames: 1 }, ctx));
  },
});

const registries = withTestComponents({ sources: [fakeCamera] });
const yaml = (source: string) => `source: ${source}\nsinks: [ { type: null } ]\n`;

test('testsrc takes its live options from the shared declaration', () => {
  assert.is(testsrcSource.options.queue, liveSourceOptions.queue);
  assert.is(testsrcSource.options.dropPolicy, liveSourceOptions.dropPolicy);
  assert.is(testsrcSource.options.maxLatencyMs, liveSourceOptions.maxLatencyMs);
});

const cases: {
  name: string;
  source: string;
  queue: number;
  policy: string;
  maxLatencyMs?: number;
}[] = [
  // Nothing given: the shared defaults, and no latency budget.
  { name: 'defaults', source: '{ type: fake-camera }', queue: 4, policy: 'drop-oldest' },
  // All given: passed through as written.
  {
    name: 'given',
    source: '{ type: fake-camera, queue: 1, dropPolicy: drop-newest, maxLatencyMs: 250 }',
    queue: 1,
    policy: 'drop-newest',
    maxLatencyMs: 250,
  },
];

for (const c of cases) {
  test(`a new live source validates the shared options: ${c.name}`, async () => {
    const config = parsePipeline(yaml(c.source), 'test.yaml', { registries });
    assert.is(config.source.options.queue, c.queue);
    assert.is(config.source.options.dropPolicy, c.policy);
    const { run } = await assemblePipeline(config, {
      registries,
      clock: systemClock,
      log: silentLogger,
      baseDir: process.cwd(),
    });
    // It emits pictures, so the queue comes right after the source (no stage before it).
    assert.equal(run.liveQueue, {
      capacity: c.queue,
      policy: c.policy,
      ...(c.maxLatencyMs !== undefined ? { maxLatencyMs: c.maxLatencyMs } : {}),
      after: 0,
    });
    await run.run();
  });
}

test('a bad dropPolicy on the new source names the file position and the allowed values', () => {
  try {
    parsePipeline(yaml('{ type: fake-camera, dropPolicy: newest }'), 'test.yaml', { registries });
    assert.unreachable('accepted');
  } catch (err) {
    assert.instance(err, ConfigError);
    // "newest" starts at column 42 of line 1 (8 for "source: ", 33 up to the value).
    assert.is(
      (err as ConfigError).message,
      'test.yaml:1:42: source.dropPolicy: "newest" is not allowed\n  allowed: drop-oldest, drop-newest, block',
    );
  }
});

test.run();
