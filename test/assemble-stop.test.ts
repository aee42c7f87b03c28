// Ctrl-C while a live source is still connecting: assemblePipeline takes an
// AbortSignal; aborting it stops the source (its pending open() rejects),
// closes what was opened and rejects with PipelineStopped, within the tick.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline, PipelineStopped } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { defineSource, type Source, type StreamInfo } from '../src/core/component.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { silentLogger } from '../src/core/log.ts';
import { t } from '../src/core/schema.ts';
import { PacedSource } from './helpers/paced-source.ts';
import { withTestComponents } from './helpers/registries.ts';

let made: PacedSource | undefined;
/** A camera that never answers: open() waits until stop(), then rejects. */
const unreachable = defineSource({
  type: 'unreachable',
  doc: 'test: open() waits until stop()',
  options: {},
  create: (_config, ctx) => {
    made = new PacedSource({
      scheduler: ctx.clock.scheduler,
      count: 0,
      period: 10,
      pool: new FramePool(),
      neverConnects: true,
    });
    return made;
  },
});

let deaf: { closed: boolean; stopped: boolean } | undefined;
/** Worse: open() ignores stop() and never settles; only close() is left. */
const ignoresStop = defineSource({
  type: 'ignores-stop',
  doc: 'test: open() never settles',
  options: { x: t.integer({ doc: 'unused', default: 0 }) },
  create: (): Source => {
    const state = { closed: false, stopped: false };
    deaf = state;
    return {
      live: true,
      open: () => new Promise<StreamInfo>(() => {}),
      start() {},
      request() {},
      stop() {
        state.stopped = true;
      },
      async close() {
        state.closed = true;
      },
      dropped: () => 0,
    };
  },
});

const registries = withTestComponents({ sources: [unreachable, ignoresStop] });
const assemble = (type: string, signal: AbortSignal) =>
  assemblePipeline(
    parsePipeline(`source: { type: ${type} }\nsinks: [ { type: "null" } ]\n`, 'test.yaml', {
      registries,
    }),
    { registries, clock: systemClock, log: silentLogger, baseDir: process.cwd(), signal },
  );

const cases = [
  // The ReconnectingSource's contract: stop() makes a waiting open() reject.
  { type: 'unreachable', closed: () => made!.closed },
  // A source that does not honour stop() while opening cannot hold Ctrl-C up.
  { type: 'ignores-stop', closed: () => deaf!.closed && deaf!.stopped },
];

for (const c of cases) {
  test(`a stop while the source connects ends assembly: ${c.type}`, async () => {
    const abort = new AbortController();
    const assembled = assemble(c.type, abort.signal);
    await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    try {
      await assembled;
      assert.unreachable('assembled');
    } catch (err) {
      assert.instance(err, PipelineStopped);
      assert.is((err as PipelineStopped).sourceOpened, false);
      assert.is((err as Error).message, 'stopped before the source connected');
    }
    assert.ok(c.closed(), 'the source was stopped and closed');
  });
}

test('a stop that came before assembly started creates nothing', async () => {
  made = undefined;
  const abort = new AbortController();
  abort.abort();
  const err = await assemble('unreachable', abort.signal).catch((e: unknown) => e);
  assert.instance(err, PipelineStopped);
  assert.is(made, undefined);
});

test('without a stop, assembly is unchanged', async () => {
  const abort = new AbortController();
  const yaml =
    'source: { type: testsrc, size: 64x48, duration: 0.2 }\nsinks: [ { type: "null" } ]\n';
  const config = parsePipeline(yaml, 'test.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
    signal: abort.signal,
  });
  const result = await run.run();
  // 0.2 s at the default 30 fps.
  assert.is(result.meters[0]!.framesOut, 6);
});

test.run();
