// A stage slower than the camera, behind the live rtsp source: the runner's live
// queue drops by policy (counted), every frame reaching the sink is young (its
// capture-to-sink age stays within the queue bound, measured per frame, over
// more than a thousand frames) and memory does not grow.
import { concatMap, map, timer } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { defineStage } from '../src/core/component.ts';
import { silentLogger } from '../src/core/log.ts';
import { t } from '../src/core/schema.ts';
import { withTestComponents } from './helpers/registries.ts';
import { RtspTestServer } from './helpers/rtsp-server.ts';

const slowStage = defineStage({
  type: 'slow',
  doc: 'test: holds each frame for delayMs (a stand-in for inference slower than the camera)',
  options: { delayMs: t.number({ doc: 'time per frame', default: 30 }) },
  create: (config, ctx) =>
    concatMap((frame) => timer(config.delayMs, ctx.clock.scheduler).pipe(map(() => frame))),
});
const registries = withTestComponents({ stages: [slowStage] });

const CAMERA_FPS = 50;
const DELAY_MS = 30;
const QUEUE = 4;
const MAX_IN_FLIGHT = 2;
const WRITTEN = 1200;

let server: RtspTestServer | undefined;
test.after(async () => {
  await server?.stop();
});

test('a 30 ms stage behind a 50 fps camera: drops counted, latency within the queue bound, memory flat', async () => {
  server = await RtspTestServer.start({ fps: CAMERA_FPS });
  const yaml = [
    `maxInFlight: ${MAX_IN_FLIGHT}`,
    `source: ${JSON.stringify({ type: 'rtsp', url: server.url(), queue: QUEUE })}`,
    `stages: [ { type: slow, delayMs: ${DELAY_MS} } ]`,
    'sinks: [ { type: "null" } ]',
  ].join('\n');
  const config = parsePipeline(yaml, 'slow.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
  });
  let rssEarly: number | undefined;
  const poll = setInterval(() => {
    const written = run.snapshot().find((m) => m.kind === 'sink')?.framesOut ?? 0;
    // Past start-up (decoder, pool and queues all allocated), before the long haul.
    if (rssEarly === undefined && written >= 200) rssEarly = process.memoryUsage().rss;
    if (written >= WRITTEN) run.stop();
  }, 50);
  const result = await run.run().finally(() => clearInterval(poll));
  const rssEnd = process.memoryUsage().rss;
  await server.stop();
  const meter = (name: string) => result.meters.find((m) => m.name === name)!;
  const source = meter('source:rtsp');
  const decode = meter('decode');
  const slow = meter('slow');
  const sink = result.meters.find((m) => m.kind === 'sink')!;

  assert.ok(sink.framesOut >= WRITTEN, `${sink.framesOut} written`);
  // Every packet is decoded; the drops happen after the decoder, at the live queue.
  assert.is(decode.dropped, 0);
  assert.ok(source.dropped > 0, 'the camera outran the stage, so frames were dropped');
  // Each decoded frame was passed on, dropped (counted), or still queued at the stop (at most the queue).
  const unaccounted = decode.framesOut - slow.framesIn - source.dropped;
  assert.ok(
    unaccounted >= 0 && unaccounted <= QUEUE,
    `${unaccounted} frames neither passed on nor dropped`,
  );
  assert.is(slow.dropped, 0);

  // A frame waits at most for the queue ahead of it and the frames in flight, each
  // one stage service long (the longest one measured, which includes timer lateness
  // on a busy machine), plus its own service and decoding.
  const service = slow.processMs.max;
  const bound = (QUEUE + MAX_IN_FLIGHT + 1) * service + decode.processMs.max;
  const latency = sink.latencyMs!;
  assert.ok(latency.max <= bound, `max capture-to-sink latency ${latency.max} ms ≤ ${bound} ms`);
  assert.ok(latency.p50 >= DELAY_MS, `a frame is at least one service old (p50 ${latency.p50} ms)`);
  assert.is(sink.latencyHistogram!.count, sink.framesOut, 'every written frame was measured');
  // Memory: the same pooled buffers go round; a thousand more frames add nothing that stays.
  const growthMb = (rssEnd - rssEarly!) / 2 ** 20;
  assert.ok(
    growthMb < 48,
    `RSS grew ${growthMb.toFixed(1)} MB over ${sink.framesOut - 200} frames`,
  );
});

test.run();
