// The detect stage overlaps work: frame N+1 is prepared and handed to the
// session while N is inferred (at most two handed over; the session runs one at
// a time), frames stay in order, nothing is lost at the end.
import { from, lastValueFrom, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Detections } from '../src/core/detections.ts';
import type { Frame } from '../src/core/frame.ts';
import type { DetectJob } from '../src/models/detector.ts';
import { type PipelinedDetector, pipelinedDetect } from '../src/stages/pipelined-detect.ts';

function frame(seq: number): Frame {
  return {
    seq,
    pts: seq,
    time: 0,
    width: 2,
    height: 2,
    format: 'yuv420p',
    data: new Uint8Array(6),
    sourceId: 't',
    meta: { timings: {} },
  };
}

/**
 * Records the order of calls. Like a worker session, it runs one inference at
 * a time, each after a few microtask turns, in the order they were handed over.
 */
function fakeDetector(failAt?: number, instances = 1) {
  const log: string[] = [];
  let inferring = 0;
  let maxInferring = 0;
  let handed = 0;
  let maxHanded = 0;
  // One queue a session; runs go to them in turn (sessionPool).
  const queues: Promise<unknown>[] = Array.from({ length: instances }, () => Promise.resolve());
  let turn = 0;
  const detector: PipelinedDetector = {
    ...(instances > 1 ? { depth: 2 * instances } : {}),
    prepare(f) {
      log.push(`prepare ${f.seq}`);
      return { frame: f, pre: undefined as never, feeds: {} } as DetectJob;
    },
    infer(job) {
      log.push(`infer ${job.frame.seq}`);
      handed++;
      maxHanded = Math.max(maxHanded, handed);
      const session = turn;
      turn = (turn + 1) % instances;
      const run = queues[session]!.then(async () => {
        inferring++;
        maxInferring = Math.max(maxInferring, inferring);
        // Later frames take fewer turns, so a second session finishes before the first.
        for (let i = 0; i < 3 + (instances - 1) * (job.frame.seq % 2 === 0 ? 4 : 0); i++)
          await Promise.resolve();
        log.push(`done ${job.frame.seq}`);
        inferring--;
        handed--;
        if (job.frame.seq === failAt) throw new Error('boom');
        return [];
      });
      queues[session] = run.catch(() => {});
      return run;
    },
    finish(job) {
      log.push(`finish ${job.frame.seq}`);
      return Detections.empty();
    },
  };
  return { detector, log, maxInferring: () => maxInferring, maxHanded: () => maxHanded };
}

test('frames come out in order, every one, with at most two handed to the session', async () => {
  const fake = fakeDetector();
  const out = await lastValueFrom(
    from([0, 1, 2, 3, 4].map(frame)).pipe(
      pipelinedDetect(fake.detector, (e) => e as Error),
      toArray(),
    ),
  );
  assert.equal(
    out.map((f) => f.seq),
    [0, 1, 2, 3, 4],
  );
  assert.ok(out.every((f) => f.meta.detections instanceof Detections));
  assert.is(fake.maxInferring(), 1);
  // One running and one queued behind it: the detector's two input slots.
  assert.is(fake.maxHanded(), 2);
});

test('the next frame is prepared before the current inference finishes', async () => {
  const fake = fakeDetector();
  await lastValueFrom(
    from([0, 1, 2].map(frame)).pipe(
      pipelinedDetect(fake.detector, (e) => e as Error),
      toArray(),
    ),
  );
  assert.ok(fake.log.indexOf('prepare 1') < fake.log.indexOf('finish 0'), fake.log.join(', '));
  // Frame 1's inference starts before frame 0's outputs are decoded.
  assert.ok(fake.log.indexOf('infer 1') < fake.log.indexOf('finish 0'), fake.log.join(', '));
});

test('two instances: four handed over, two running, frames still in order though later ones finish first', async () => {
  const fake = fakeDetector(undefined, 2);
  const out = await lastValueFrom(
    from([0, 1, 2, 3, 4, 5, 6].map(frame)).pipe(
      pipelinedDetect(fake.detector, (e) => e as Error),
      toArray(),
    ),
  );
  assert.equal(
    out.map((f) => f.seq),
    [0, 1, 2, 3, 4, 5, 6],
  );
  assert.is(fake.maxInferring(), 2);
  assert.is(fake.maxHanded(), 4);
  // Frame 1 (the second session, quicker) was back before frame 0, yet decoded after it.
  assert.ok(fake.log.indexOf('done 1') < fake.log.indexOf('done 0'), fake.log.join(', '));
  assert.ok(fake.log.indexOf('finish 0') < fake.log.indexOf('finish 1'), fake.log.join(', '));
});

test('an inference error ends the stream with the wrapped error', async () => {
  const fake = fakeDetector(1);
  try {
    await lastValueFrom(
      from([0, 1, 2].map(frame)).pipe(
        pipelinedDetect(fake.detector, (e) => new Error(`wrapped: ${(e as Error).message}`)),
      ),
    );
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).message, 'wrapped: boom');
  }
});

test.run();
