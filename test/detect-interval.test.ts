// detect's `interval`: the model runs on every Nth frame and the frames between
// carry its detections, marked predicted — or, after a track stage, the
// tracker's Kalman predictions. `auto` on a live camera in virtual time: a
// model slower than the camera runs back to back, and every frame still comes
// out, in order, with nothing dropped at the live queue.
import { firstValueFrom, from, lastValueFrom, type OperatorFunction, timer, toArray } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../src/config/load.ts';
import { registries } from '../src/components-all.ts';
import { systemClock } from '../src/core/clock.ts';
import type { ComponentContext, SourceStream, StageInstance } from '../src/core/component.ts';
import { Detections } from '../src/core/detections.ts';
import type { Frame } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import type { InstanceMask } from '../src/core/masks.ts';
import { PipelineRun } from '../src/core/runner.ts';
import type { DetectJob } from '../src/models/detector.ts';
import { withInterval } from '../src/stages/detect-interval.ts';
import type { DetectInterval } from '../src/stages/interval-detect.ts';
import { type PipelinedDetector, pipelinedDetect } from '../src/stages/pipelined-detect.ts';
import { countStage } from '../src/stages/count.ts';
import { trackStage } from '../src/stages/track.ts';
import { KalmanBox } from '../src/tracking/kalman-box.ts';
import { TRACKER_DEFAULTS } from '../src/tracking/options.ts';
import { PacedSource } from './helpers/paced-source.ts';
import { SteppedTime } from './helpers/virtual-time.ts';

/** The object's box in frame `seq`: 40×80 px, moving 4 px right a frame. */
const boxAt = (seq: number): [number, number, number, number] => [
  100 + 4 * seq,
  10,
  140 + 4 * seq,
  90,
];
const MASK: InstanceMask = { x: 100, y: 10, width: 2, height: 1, data: new Uint8Array([1, 0]) };

function frame(seq: number): Frame {
  return {
    seq,
    pts: seq * 40_000,
    time: 0,
    width: 640,
    height: 480,
    format: 'yuv420p',
    data: new Uint8Array(0),
    sourceId: 't',
    meta: { timings: {} },
  };
}

/**
 * A detector that finds the object at `boxAt(seq)`, with a mask, and records the
 * frames it ran on; inference takes `inferMs` on `scheduler` (or a few
 * microtask turns without one). Each of its `instances` sessions runs one at a
 * time in the order handed over, as a worker session does, and runs go to the
 * sessions in turn, as `sessionPool` hands them out.
 */
function fakeDetector(
  opts: { scheduler?: SchedulerLike; inferMs?: number; instances?: number } = {},
) {
  const ran: number[] = [];
  const instances = opts.instances ?? 1;
  const queues: Promise<unknown>[] = Array.from({ length: instances }, () => Promise.resolve());
  let turn = 0;
  let running = 0;
  let maxRunning = 0;
  const detector: PipelinedDetector = {
    depth: 2 * instances,
    prepare: (f) => ({ frame: f, pre: undefined as never, feeds: {} }) as DetectJob,
    infer(job) {
      const session = turn;
      turn = (turn + 1) % instances;
      const run = queues[session]!.then(async () => {
        ran.push(job.frame.seq);
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (opts.scheduler) await firstValueFrom(timer(opts.inferMs ?? 0, opts.scheduler));
        else for (let i = 0; i < 3; i++) await Promise.resolve();
        running--;
        return [];
      });
      queues[session] = run;
      return run;
    },
    finish: (job) =>
      new Detections({
        boxes: Float32Array.from(boxAt(job.frame.seq)),
        scores: Float32Array.of(0.9),
        classIds: Int32Array.of(0),
        names: ['person'],
        masks: [MASK],
      }),
  };
  return { detector, ran, maxRunning: () => maxRunning };
}

function context(live: boolean, messages: string[] = []): ComponentContext {
  return {
    name: 'stages[0] (detect)',
    clock: systemClock,
    log: { info: (m) => messages.push(m), warn: (m) => messages.push(m) },
    baseDir: process.cwd(),
    pool: new FramePool(),
    count: () => {},
    report: () => {},
    health: () => {},
    stream: {
      width: 640,
      height: 480,
      format: 'yuv420p',
      fps: 25,
      frames: undefined,
      live,
    } satisfies SourceStream,
  };
}

function detectWith(
  interval: DetectInterval,
  detector: PipelinedDetector,
  ctx = context(false),
  instances = 1,
): OperatorFunction<Frame, Frame> {
  const stage: StageInstance = {
    operator: pipelinedDetect(detector, (e) => e as Error),
    close: async () => {},
  };
  return withInterval(interval, ctx, stage, instances).operator;
}

test('interval is declared: a number ≥ 1 or auto, default 1; anything else is refused', () => {
  const parse = (value: string) =>
    parsePipeline(
      `source: { type: testsrc }\nstages: [ { type: detect, interval: ${value} } ]\nsinks: [ { type: "null" } ]\n`,
      'interval.yaml',
      { registries },
    );
  assert.is(parse('3').stages[0]!.options.interval, 3);
  assert.is(parse('auto').stages[0]!.options.interval, 'auto');
  const none = parsePipeline(
    'source: { type: testsrc }\nstages: [ { type: detect } ]\nsinks: [ { type: "null" } ]\n',
    'interval.yaml',
    { registries },
  );
  assert.is(none.stages[0]!.options.interval, 1);
  for (const bad of ['0', '1.5', 'fast']) {
    assert.throws(() => parse(bad), /interval/, `interval: ${bad}`);
  }
});

test('interval: 3 runs the model on frames 0, 3, 6, 9 and carries their exact boxes and masks, marked predicted', async () => {
  const fake = fakeDetector();
  const out = await lastValueFrom(
    from([...Array(11).keys()].map(frame)).pipe(detectWith(3, fake.detector), toArray()),
  );
  assert.equal(fake.ran, [0, 3, 6, 9]);
  assert.equal(
    out.map((f) => f.seq),
    [...Array(11).keys()],
    'every frame, in order',
  );
  for (const f of out) {
    const source = f.seq - (f.seq % 3);
    const [d] = f.meta.detections!.toList();
    assert.equal(d!.box, boxAt(source), `frame ${f.seq} has frame ${source}'s box`);
    assert.is(f.meta.detections!.masks![0], MASK, 'the mask is carried too');
    if (f.seq % 3 === 0) {
      assert.is(f.meta.inferred, undefined);
      assert.not.ok('predicted' in d!, 'inferred detections carry no predicted key');
    } else {
      assert.is(f.meta.inferred, false);
      assert.is(d!.predicted, true);
      assert.ok(Detections.fromList([d!]).predicted, 'the mark survives a JSON round trip');
    }
  }
});

test('a discontinuity is always inferred, and the count starts again from it', async () => {
  const fake = fakeDetector();
  const frames = [...Array(8).keys()].map(frame);
  frames[4]!.meta.discontinuity = true;
  await lastValueFrom(from(frames).pipe(detectWith(3, fake.detector), toArray()));
  assert.equal(fake.ran, [0, 3, 4, 7]);
});

test('interval: 3 then track: frames between carry the Kalman prediction, not the stale box', async () => {
  const fake = fakeDetector();
  const track = await trackStage.create(
    { tracker: 'bytetrack', ...TRACKER_DEFAULTS },
    { ...context(false), name: 'stages[1] (track)', stream: undefined },
  );
  const trackOp = typeof track === 'function' ? track : track.operator;
  const out = await lastValueFrom(
    from([...Array(10).keys()].map(frame)).pipe(detectWith(3, fake.detector), trackOp, toArray()),
  );
  // The reference motion model, driven by hand with what the tracker should do:
  // born at frame 0, matched at 3 and 6 (three hits: confirmed, id 1), and
  // moved ahead one frame at a time on the frames between, never corrected.
  const reference = new KalmanBox(boxAt(0));
  const expected = new Map<number, [number, number, number, number]>();
  for (let seq = 1; seq < 10; seq++) {
    reference.predict(1);
    if (seq % 3 === 0) reference.update(boxAt(seq));
    else expected.set(seq, reference.box());
  }
  for (const f of out) {
    const dets = f.meta.detections!;
    assert.is(dets.length, 1, `frame ${f.seq}: one object`);
    if (f.seq % 3 === 0) {
      assert.not.ok(dets.predicted);
      continue;
    }
    assert.is(f.meta.inferred, false);
    assert.ok(dets.predicted, `frame ${f.seq} is marked predicted`);
    const want = expected.get(f.seq)!;
    const got = dets.box(0);
    for (let i = 0; i < 4; i++) {
      assert.is(got[i], Math.fround(want[i]!), `frame ${f.seq} box[${i}]`);
    }
    assert.is(dets.masks?.[0], MASK, 'the last matched mask rides along');
    // Tentative until the third inferred frame (6): no public id before.
    assert.is(dets.trackIds![0], f.seq > 6 ? 1 : -1);
  }
  // Frames 1 and 2: a new track has no velocity yet, so the prediction is frame 0's box.
  assert.equal(out[1]!.meta.detections!.box(0), boxAt(0));
  // Frame 7 moved past frame 6's box: the stale copy would have stayed at x = 124.
  assert.ok(out[7]!.meta.detections!.box(0)[0] > boxAt(6)[0]);
  const json = out[8]!.meta.detections!.toList()[0]!;
  assert.is(json.trackId, 1);
  assert.is(json.predicted, true);
  // Skipped frames are not misses: the track is still tracked, not lost.
  assert.equal(
    out[8]!.meta.tracks!.map((t) => [t.id, t.state]),
    [[1, 'tracked']],
  );
});

test('interval: 3, track, count: a line is crossed on a predicted box, at the frame the prediction crosses it', async () => {
  const fake = fakeDetector();
  const ctx = { ...context(false), stream: undefined };
  const track = await trackStage.create(
    { tracker: 'bytetrack', ...TRACKER_DEFAULTS, minHits: 1 },
    ctx,
  );
  const LINE_X = 157;
  const count = await countStage.create(
    {
      lines: [{ name: 'gate', from: [LINE_X, 0], to: [LINE_X, 480] }],
      zones: [],
      anchor: 'bottom-center',
      hysteresis: 0,
    },
    ctx,
  );
  const op = (s: typeof track) => (typeof s === 'function' ? s : s.operator);
  const out = await lastValueFrom(
    from([...Array(16).keys()].map(frame)).pipe(
      detectWith(3, fake.detector),
      op(track),
      op(count),
      toArray(),
    ),
  );
  // The anchor's x on each frame: the detection's centre where the model ran
  // (120 + 4·seq), the reference filter's prediction on the frames between.
  const reference = new KalmanBox(boxAt(0));
  const anchorX = [120];
  for (let seq = 1; seq < 16; seq++) {
    reference.predict(1);
    if (seq % 3 === 0) {
      reference.update(boxAt(seq));
      anchorX.push(120 + 4 * seq);
    } else {
      const b = reference.box();
      anchorX.push((Math.fround(b[0]) + Math.fround(b[2])) / 2);
    }
  }
  const crossing = anchorX.findIndex((x) => x > LINE_X);
  assert.is(crossing % 3 === 0, false, `crossed on frame ${crossing}, one the model skipped`);
  const crossings = out.map((f) => {
    const gate = f.meta.counts!.lines.gate!;
    return gate.in + gate.out;
  });
  assert.equal(
    crossings,
    anchorX.map((_, seq) => (seq < crossing ? 0 : 1)),
  );
});

test('interval: auto on a source that is not live runs the model on every frame, and says so', async () => {
  const fake = fakeDetector();
  const messages: string[] = [];
  await lastValueFrom(
    from([0, 1, 2, 3].map(frame)).pipe(
      detectWith('auto', fake.detector, context(false, messages)),
      toArray(),
    ),
  );
  assert.equal(fake.ran, [0, 1, 2, 3]);
  assert.match(messages.join('\n'), /interval: auto runs the model on every frame/);
});

/** A 25 fps camera for 10 s into detect (inference `inferMs` of virtual time) → probe sink. */
async function liveRun(interval: DetectInterval, model = { inferMs: 100, instances: 1 }) {
  const PERIOD = 40;
  const FRAMES = 250;
  const time = new SteppedTime();
  const pool = new FramePool();
  const fake = fakeDetector({ scheduler: time.scheduler, ...model });
  const source = new PacedSource({
    scheduler: time.scheduler,
    count: FRAMES,
    period: PERIOD,
    pool,
  });
  const written: { seq: number; inferred: boolean; ageMs: number }[] = [];
  const run = new PipelineRun({
    source: {
      name: 'source:camera',
      source,
      info: await source.open(),
      live: { capacity: 4, policy: 'drop-oldest', after: 0 },
    },
    stages: [
      {
        name: 'detect',
        operator: detectWith(interval, fake.detector, context(true), model.instances),
      },
    ],
    sinks: [
      {
        name: 'sink:probe',
        queue: 8,
        policy: 'block',
        sink: {
          write(f) {
            written.push({
              seq: f.seq,
              inferred: f.meta.inferred !== false,
              ageMs: time.clock.now() - f.meta.capturedAt!,
            });
          },
          close: async () => {},
        },
      },
    ],
    maxInFlight: 4,
    clock: time.clock,
    pool,
  });
  const result = await time.drive(run.run());
  const dropped = result.meters.find((m) => m.name === 'source:camera')!.dropped;
  return { FRAMES, PERIOD, fake, written, dropped };
}

test('interval: auto under a model slower than the camera: nothing dropped, all in order, the model back to back', async () => {
  const { FRAMES, PERIOD, fake, written, dropped } = await liveRun('auto');
  assert.is(dropped, 0, 'the live queue dropped nothing');
  assert.equal(
    written.map((w) => w.seq),
    [...Array(FRAMES).keys()],
    'every frame reached the sink, in order',
  );
  // Hand-computed: frames arrive at 40k ms, a run takes 100 ms and starts on
  // the newest frame waiting when the previous one ends (or on arrival if the
  // model is idle). Frame 0 runs 0–100; at 100 frames 1, 2 wait → 2 runs
  // 100–200; at 200 frame 5 has just arrived → 5 runs 200–300; at 300 → 7;
  // at 400 → 10; … every 200 ms the same two runs: frames ≡ 0, 2 (mod 5). At
  // the end (10 000 ms) nothing more arrives and 248, 249 leave carried.
  const expected = [...Array(FRAMES).keys()].filter((k) => k % 5 === 0 || k % 5 === 2);
  assert.equal(fake.ran, expected);
  assert.equal(
    written.filter((w) => w.inferred).map((w) => w.seq),
    expected,
    'the frames the model ran on are the ones not marked',
  );
  // 100 runs in the 10 s of video: the 10 per second a 100 ms model allows.
  const seconds = (FRAMES * PERIOD) / 1000;
  assert.is(fake.ran.length / seconds, 10);
  // A frame waits at most for one run that started up to a frame interval after it arrived.
  const worst = Math.max(...written.map((w) => w.ageMs));
  assert.ok(worst <= 100 + PERIOD, `worst capture-to-sink age ${worst} ms ≤ 140 ms`);
});

test('interval: auto with two instances of a 70 ms model keeps up with a 25 fps camera: every frame inferred, on arrival', async () => {
  const { FRAMES, fake, written, dropped } = await liveRun('auto', { inferMs: 70, instances: 2 });
  // Hand-computed: frame k arrives at 40k ms and goes to session k mod 2, which
  // finished frame k − 2 at 40(k − 2) + 70 = 40k − 10: it is always free, so
  // every frame runs on arrival, two at a time (one instance would manage 14 a
  // second of the 25).
  assert.is(dropped, 0);
  assert.equal(fake.ran, [...Array(FRAMES).keys()]);
  assert.is(fake.maxRunning(), 2);
  assert.ok(written.every((w) => w.inferred));
  assert.equal(
    written.map((w) => w.seq),
    [...Array(FRAMES).keys()],
  );
  // Frame k is done at 40k + 70, after frame k − 1 (40k + 30): none waits for another.
  assert.equal([...new Set(written.map((w) => w.ageMs))], [70]);
});

test('interval: 1 under the same slow model: the live queue drops whole frames instead', async () => {
  const { FRAMES, fake, written, dropped } = await liveRun(1);
  assert.ok(dropped > FRAMES / 2, `${dropped} of ${FRAMES} frames dropped`);
  assert.is(written.length + dropped, FRAMES);
  assert.ok(written.every((w) => w.inferred));
  assert.is(fake.ran.length, written.length);
});

test.run();
