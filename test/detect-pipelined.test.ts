// The detect stage overlaps work: frame N+1 is prepared while N is inferred,
// inference stays one at a time, frames stay in order, nothing is lost at the end.
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

/** Records the order of calls; inference resolves after a few microtask turns. */
function fakeDetector(failAt?: number) {
  const log: string[] = [];
  let inferring = 0;
  let maxInferring = 0;
  const detector: PipelinedDetector = {
    prepare(f) {
      log.push(`prepare ${f.seq}`);
      return { frame: f, pre: undefined as never, feeds: {} } as DetectJob;
    },
    async infer(job) {
      log.push(`infer ${job.frame.seq}`);
      inferring++;
      maxInferring = Math.max(maxInferring, inferring);
      for (let i = 0; i < 3; i++) await Promise.resolve();
      inferring--;
      if (job.frame.seq === failAt) throw new Error('boom');
      return [];
    },
    finish(job) {
      log.push(`finish ${job.frame.seq}`);
      return Detections.empty();
    },
  };
  return { detector, log, maxInferring: () => maxInferring };
}

test('frames come out in order, every one, with one inference at a time', async () => {
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
