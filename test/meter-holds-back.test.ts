// A stage that holds frames back (a decoder reordering B-frames) emits frame N
// only once frame N+2 is in. Its meter must not call the wait for that input
// decoding time. Driven by a clock the test advances by hand, so the figures
// are exact.
import { Observable, type OperatorFunction } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { type Clock, systemClock } from '../src/core/clock.ts';
import { defineStage } from '../src/core/component.ts';
import type { Frame } from '../src/core/frame.ts';
import { silentLogger } from '../src/core/log.ts';
import { fakeSource } from './helpers/fake-pipeline.ts';
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

test.run();
