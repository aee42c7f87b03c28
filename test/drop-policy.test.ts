// Live sources never fall behind: a paced producer faster than a slow stage, in
// virtual time, loses exactly the frames the policy says. The queue is the
// runner's live boundary (not the source's own, as before the boundary moved
// behind the decoder), so this drives a whole PipelineRun.
import { concatMap, map, timer } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DropPolicy } from '../src/core/drop-queue.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { PipelineRun } from '../src/core/runner.ts';
import { PacedSource } from './helpers/paced-source.ts';
import { SteppedTime } from './helpers/virtual-time.ts';

interface Case {
  policy: DropPolicy;
  delivered: number[];
  dropped: number;
}

// 10 frames at t = 0, 10, …, 90 ms; the stage needs 36 ms per frame (no ties
// with arrivals) and takes frames at t = 0, 36, 72, 108, 144; queue of 2,
// maxInFlight 1.
// drop-oldest: frame 3 evicts 1 (t=30), 5 evicts 3, 6 evicts 4, 7 evicts 5,
// 9 evicts 7 → delivered 0, 2, 6, 8, 9.
// drop-newest: frames 3, 5, 6, 7 and 9 arrive to a full queue → delivered 0, 1, 2, 4, 8.
// block: the producer is held back, nothing is lost.
const cases: Case[] = [
  { policy: 'drop-oldest', delivered: [0, 2, 6, 8, 9], dropped: 5 },
  { policy: 'drop-newest', delivered: [0, 1, 2, 4, 8], dropped: 5 },
  { policy: 'block', delivered: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], dropped: 0 },
];

async function runPaced(policy: DropPolicy, capacity: number, serviceMs: number) {
  const time = new SteppedTime();
  const pool = new FramePool();
  const source = new PacedSource({ scheduler: time.scheduler, count: 10, period: 10, pool });
  const delivered: number[] = [];
  let maxQueued = 0;
  const run = new PipelineRun({
    source: {
      name: 'source:paced',
      source,
      info: await source.open(),
      live: { capacity, policy, after: 0 },
    },
    stages: [
      {
        name: 'slow',
        operator: concatMap((f) => timer(serviceMs, time.scheduler).pipe(map(() => f))),
      },
    ],
    sinks: [
      {
        name: 'sink:probe',
        queue: 8,
        policy: 'block',
        sink: {
          write(frame) {
            delivered.push(frame.seq);
          },
          close: async () => {},
        },
      },
    ],
    maxInFlight: 1,
    clock: time.clock,
    pool,
  });
  const queued = run.meters[0]!.queueDepth!;
  time.scheduler.schedule(function watch() {
    maxQueued = Math.max(maxQueued, queued());
    if (time.scheduler.now() < 200) this.schedule(undefined, 1);
  });
  const result = await time.drive(run.run());
  return { result, delivered, maxQueued, pool, source };
}

for (const c of cases) {
  test(`${c.policy}: exactly the expected frames are dropped and counted`, async () => {
    const { result, delivered, maxQueued, pool } = await runPaced(c.policy, 2, 36);
    assert.equal(delivered, c.delivered);
    const source = result.meters.find((m) => m.kind === 'source')!;
    assert.is(source.dropped, c.dropped, 'drops are counted on the source meter');
    assert.is(source.framesIn, 10);
    assert.is(source.framesOut, c.delivered.length);
    assert.ok(maxQueued <= 2, `queue never exceeds its bound (saw ${maxQueued})`);
    assert.is(pool.outstanding, 0, 'every dropped frame was released');
  });
}

test('block pauses the producer: it is never owed more than the queue holds', async () => {
  const { source } = await runPaced('block', 2, 36);
  assert.ok(source.peakDemand <= 2, `peak demand ${source.peakDemand}`);
});

test('the queue bound is exact: a stage that keeps up drops nothing', async () => {
  const { result, delivered } = await runPaced('drop-oldest', 1, 9);
  assert.is(result.meters[0]!.dropped, 0);
  assert.equal(delivered, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test.run();
