// Live sources share one declaration of `queue` and `dropPolicy`: a new live
// source (a fake camera here) spreads it and gets the same defaults, ranges,
// docs and errors as testsrc, and hands the values to LiveSource.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { liveSourceOptions } from '../src/core/live-source-options.ts';
import { parsePipeline } from '../src/config/load.ts';
import { t } from '../src/core/schema.ts';
import { systemClock } from '../src/core/clock.ts';
import { type ComponentContext, defineSource } from '../src/core/component.ts';
import { ConfigError } from '../src/core/errors.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { LiveSource } from '../src/core/live-source.ts';
import { silentLogger } from '../src/core/log.ts';
import { testsrcSource } from '../src/sources/testsrc.ts';
import { fakeSource } from './helpers/fake-pipeline.ts';
import { withTestComponents } from './helpers/registries.ts';

let made: LiveSource | undefined;
const inner = fakeSource('inner');

/** A camera-like source declared the way rtsp/camera will be: its own options plus the shared ones. */
const fakeCamera = defineSource({
  type: 'fake-camera',
  doc: 'test: a live source',
  options: { device: t.string({ doc: 'device', default: '/dev/video0' }), ...liveSourceOptions },
  async create(config, ctx) {
    const producer = await inner.create({ frames: 1 }, ctx);
    made = new LiveSource(producer, config.queue, config.dropPolicy, ctx.pool);
    return made;
  },
});

const registries = withTestComponents({ sources: [fakeCamera] });
const yaml = (source: string) => `source: ${source}\nsinks: [ { type: null } ]\n`;

test('testsrc takes its live options from the shared declaration', () => {
  assert.is(testsrcSource.options.queue, liveSourceOptions.queue);
  assert.is(testsrcSource.options.dropPolicy, liveSourceOptions.dropPolicy);
});

const cases: { name: string; source: string; queue: number; policy: string }[] = [
  // Nothing given: the shared defaults.
  { name: 'defaults', source: '{ type: fake-camera }', queue: 4, policy: 'drop-oldest' },
  // Both given: passed through as written.
  {
    name: 'given',
    source: '{ type: fake-camera, queue: 1, dropPolicy: drop-newest }',
    queue: 1,
    policy: 'drop-newest',
  },
];

for (const c of cases) {
  test(`a new live source validates the shared options: ${c.name}`, async () => {
    const config = parsePipeline(yaml(c.source), 'test.yaml', { registries });
    assert.is(config.source.options.queue, c.queue);
    assert.is(config.source.options.dropPolicy, c.policy);
    made = undefined;
    const ctx: ComponentContext = {
      name: 'source (fake-camera)',
      clock: systemClock,
      log: silentLogger,
      baseDir: process.cwd(),
      pool: new FramePool(),
      stream: undefined,
      count: () => {},
      report: () => {},
      health: () => {},
    };
    await registries.sources.get('fake-camera').create(config.source.options as never, ctx);
    assert.is(made!.policy, c.policy);
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
