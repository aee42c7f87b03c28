// maxLatencyMs drops exactly the frames older than the budget where it is set
// (a live source's queue, a stage), before the work, counted as FRAME_LATE.
// Virtual time; the expected frames are computed by hand below.
import { concatMap, map, type OperatorFunction, tap, timer } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { type Clock, systemClock } from '../src/core/clock.ts';
import { defineStage } from '../src/core/component.ts';
import { ConfigError } from '../src/core/errors.ts';
import type { Frame } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { silentLogger } from '../src/core/log.ts';
import { PipelineRun, type RunnerStage } from '../src/core/runner.ts';
import { fakeSource } from './helpers/fake-pipeline.ts';
import { PacedSource } from './helpers/paced-source.ts';
import { withTestComponents } from './helpers/registries.ts';
import { SteppedTime } from './helpers/virtual-time.ts';

// As in drop-policy.test.ts: 10 frames captured at t = 0, 10, …, 90 ms, a
// 36 ms stage, a drop-oldest queue of 2, maxInFlight 1. Without budgets the
// queue hands on frame 0 at t=0 (age 0), 2 at t=36 (captured 20: age 16),
// 6 at t=72 (age 12), 8 at t=108 (age 28), 9 at t=144 (age 54).
async function paced(opts: { sourceBudget?: number; expensiveBudget?: number }) {
  const time = new SteppedTime();
  const pool = new FramePool();
  const source = new PacedSource({ scheduler: time.scheduler, count: 10, period: 10, pool });
  const worked: number[] = [];
  const written: number[] = [];
  const expensive: RunnerStage = {
    name: 'expensive',
    operator: tap((f: Frame) => worked.push(f.seq)),
    ...(opts.expensiveBudget !== undefined ? { maxLatencyMs: opts.expensiveBudget } : {}),
  };
  const run = new PipelineRun({
    source: {
      name: 'source:paced',
      source,
      info: await source.open(),
      live: {
        capacity: 2,
        policy: 'drop-oldest',
        after: 0,
        ...(opts.sourceBudget !== undefined ? { maxLatencyMs: opts.sourceBudget } : {}),
      },
    },
    stages: [
      {
        name: 'slow',
        operator: concatMap((f: Frame) => timer(36, time.scheduler).pipe(map(() => f))),
      },
      expensive,
    ],
    sinks: [
      {
        name: 'sink:probe',
        queue: 8,
        policy: 'block',
        sink: { write: (f) => void written.push(f.seq), close: async () => {} },
      },
    ],
    maxInFlight: 1,
    clock: time.clock,
    pool,
  });
  const { meters } = await time.drive(run.run());
  const meter = (name: string) => meters.find((m) => m.name === name)!;
  return { meter, worked, written, pool };
}

test('on the live source: the frame older than the budget as it leaves the queue is dropped', async () => {
  // Budget 20 ms: frame 8 (age 28 at t=108) is late; frame 9 (captured 90,
  // age 18) goes instead, at once. The five policy drops stay as they were.
  const { meter, written, pool } = await paced({ sourceBudget: 20 });
  assert.equal(written, [0, 2, 6, 9]);
  const source = meter('source:paced');
  assert.is(source.events.FRAME_LATE, 1);
  assert.is(source.dropped, 5 + 1, 'late frames are drops too');
  assert.is(meter('slow').framesIn, 4, 'the late frame never reached the stage');
  assert.is(pool.outstanding, 0);
});

test('on a stage: frames older than its budget when they reach it skip its work', async () => {
  // The expensive stage sees frames as the 36 ms stage lets them go: 0 at
  // t=36 (age 36), 2 at 72 (age 52), 6 at 108 (48), 8 at 144 (64), 9 at 180
  // (90). With 50 ms, 2, 8 and 9 are late; a late frame leaves the pipeline
  // at once, which frees the same slot at the same time, so the schedule does
  // not change.
  const { meter, worked, written, pool } = await paced({ expensiveBudget: 50 });
  assert.equal(worked, [0, 6], 'only frames within the budget got the work');
  assert.equal(written, [0, 6]);
  const expensive = meter('expensive');
  assert.is(expensive.events.FRAME_LATE, 3);
  assert.is(expensive.dropped, 3);
  assert.is(expensive.framesIn, 5);
  assert.is(expensive.framesOut, 2);
  assert.is(meter('source:paced').events.FRAME_LATE, undefined);
  assert.is(pool.outstanding, 0, 'late frames went back to the pool');
});

test('no budget: nothing is late', async () => {
  const { meter, written } = await paced({});
  assert.equal(written, [0, 2, 6, 8, 9]);
  assert.is(meter('expensive').events.FRAME_LATE, undefined);
});

// The common stage option through the pipeline file: any stage takes it.
let now = 0;
const clock: Clock = { ...systemClock, now: () => now };
const ageing = defineStage({
  type: 'ageing',
  doc: 'test: takes 100 ms of the hand-driven clock per frame',
  options: {},
  create: (): OperatorFunction<Frame, Frame> => tap(() => (now += 100)),
});
const worked: number[] = [];
const work = defineStage({
  type: 'work',
  doc: 'test: records the frames it works on',
  options: {},
  create: (): OperatorFunction<Frame, Frame> => tap((f) => worked.push(f.seq)),
});
const registries = withTestComponents({
  sources: [fakeSource('frames')],
  stages: [ageing, work],
});

test('maxLatencyMs is a common stage option, wired from the pipeline file to the runner', async () => {
  const yaml = (budget: number) =>
    [
      'source: { type: frames, frames: 5 }',
      `stages: [ { type: ageing }, { type: work, maxLatencyMs: ${budget} } ]`,
      'sinks: [ { type: "null" } ]',
    ].join('\n');
  for (const [budget, expected] of [
    // Every frame is 100 ms old when it reaches `work`.
    [99, []],
    [100, [0, 1, 2, 3, 4]],
  ] as const) {
    worked.length = 0;
    const config = parsePipeline(yaml(budget), 'test.yaml', { registries });
    assert.is(config.stages[1]!.options.maxLatencyMs, budget);
    const { run } = await assemblePipeline(config, {
      registries,
      clock,
      log: silentLogger,
      baseDir: process.cwd(),
    });
    const { meters } = await run.run();
    assert.equal(worked, [...expected], `budget ${budget}`);
    const late = meters.find((m) => m.name === 'work')!.events.FRAME_LATE;
    assert.is(late ?? 0, 5 - expected.length);
  }
});

test('a budget of 0 is refused at its position', () => {
  try {
    parsePipeline(
      'source: { type: frames }\nstages: [ { type: work, maxLatencyMs: 0 } ]\nsinks: [ { type: "null" } ]\n',
      'test.yaml',
      { registries },
    );
    assert.unreachable('accepted');
  } catch (err) {
    assert.instance(err, ConfigError);
    assert.match((err as ConfigError).message, /^test\.yaml:2:\d+: stages\[0\]\.maxLatencyMs: /);
  }
});

test.run();
