// A stage that holds frames back (a decoder reordering B-frames) emits frame N
// only once frame N+2 is in. Its meter must not call the wait for that input
// decoding time (driven by a clock the test advances by hand, so the figures are
// exact), and the room the runner leaves it must not fill the pipeline with
// pictures when the decoder does not actually hold any back.
import { Observable, type OperatorFunction, tap } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { type Clock, systemClock } from '../src/core/clock.ts';
import { defineSink, defineStage } from '../src/core/component.ts';
import type { Frame } from '../src/core/frame.ts';
import { silentLogger } from '../src/core/log.ts';
import { fakeSource, runPipeline } from './helpers/fake-pipeline.ts';
import { withTestComponents } from './helpers/registries.ts';

let now = 0;
const clock: Clock = { ...systemClock, now: () => now };
/** The reader takes 100 ms per frame: the clock moves only while the source works. */
const source = fakeSource('slow-reader', () => {
  now += 100;
});

/** Emits frame N when frame N+2 arrives (and the rest at the end), taking no time itself. */
function reorderBy2(): OperatorFunction<Frame, Frame> {
  return (input$) =>
    new Observable<Frame>((out) => {
      const held: Frame[] = [];
      return input$.subscribe({
        next: (frame) => {
          held.push(frame);
          if (held.length > 2) out.next(held.shift()!);
        },
        error: (e) => out.error(e),
        complete: () => {
          for (const f of held.splice(0)) out.next(f);
          out.complete();
        },
      });
    });
}

const reorder = defineStage({
  type: 'reorder',
  doc: 'test: holds two frames back, like a B-frame decoder',
  options: {},
  create: () => ({ operator: reorderBy2(), close: async () => {}, holdsBack: 2 }),
});

test('a stage that holds frames back: the wait for later input is queue wait, not service time', async () => {
  const registries = withTestComponents({ sources: [source], stages: [reorder] });
  const yaml = [
    'source: { type: slow-reader, frames: 10 }',
    'stages: [ { type: reorder } ]',
    'sinks: [ { type: "null" } ]',
  ].join('\n');
  const config = parsePipeline(yaml, 'test.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock,
    log: silentLogger,
    baseDir: process.cwd(),
  });
  const { meters } = await run.run();
  const stage = meters.find((m) => m.name === 'reorder')!;
  assert.is(stage.framesOut, 10);
  // Frames 0–7 leave the moment frame N+2 arrives: no work of the stage's own.
  assert.is(stage.processMs.max, 0);
  // They waited for two more 100 ms reads: p50 over the ten waits
  // (eight of 200 ms, then 0 and 0 at the end of the stream) is 200 ms.
  assert.is(stage.queueWaitMs.p50, 200);
});

/** Past the decoder: frames between this stage and the end of the sink's write. */
const probe = { inside: 0, peak: 0, written: 0 };

/**
 * Declares that it may hold 18 frames back, like the real decoder, but answers
 * each packet at once. (A decoder still working on a packet is not told apart
 * from one holding it: then the bound is the total, maxInFlight + holdsBack.)
 */
const eagerDecoder = defineStage({
  type: 'eager-decoder',
  doc: 'test: holdsBack 18, emits every frame as it arrives',
  options: {},
  create: () => ({ operator: tap<Frame>(() => {}), close: async () => {}, holdsBack: 18 }),
});

const countInside = defineStage({
  type: 'count-inside',
  doc: 'test: counts decoded frames in flight',
  options: {},
  create: () =>
    tap(() => {
      probe.inside++;
      probe.peak = Math.max(probe.peak, probe.inside);
    }),
});

const slowSink = defineSink({
  type: 'slow-probe',
  doc: 'test: a lossless sink that takes 5 ms a frame',
  lossless: true,
  options: {},
  create: () => ({
    async write() {
      await new Promise((r) => setTimeout(r, 5));
      probe.inside--;
      probe.written++;
    },
    async close() {},
  }),
});

test('a decoder that may hold 18 frames back but does not: no more pictures past it than maxInFlight allows', async () => {
  const registries = withTestComponents({
    sources: [fakeSource('fast-reader')],
    stages: [eagerDecoder, countInside],
    sinks: [slowSink],
  });
  const yaml = [
    'maxInFlight: 4',
    'source: { type: fast-reader, frames: 60 }',
    'stages: [ { type: eager-decoder }, { type: count-inside } ]',
    'sinks: [ { type: slow-probe, queue: 1 } ]',
  ].join('\n');
  const { error } = await runPipeline(yaml, registries);
  assert.is(error, undefined);
  assert.is(probe.written, 60, 'every frame written');
  // maxInFlight counts frames up to the sink's queue: 4, plus the sink's queue of
  // 1 and the one being written = 6. The room for 18 held-back packets must not
  // turn into 22 more decoded frames (24 before the runner told the two apart).
  assert.ok(probe.peak <= 6, `peak decoded frames in flight: ${probe.peak}`);
});

test.run();
