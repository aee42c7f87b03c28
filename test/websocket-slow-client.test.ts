// Slow-client isolation on a real pipeline: one client subscribes to video and
// then never reads. The others still get every detection message, the stalled
// client's queues stay within their bounds while its drop counter grows, and
// the pipeline's frame count does not notice. Counts are compared, not times.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame } from '../src/core/frame.ts';
import type { RunResult } from '../src/core/runner.ts';
import {
  FeedClient,
  fakeDetect,
  gate,
  probe,
  type RunningFeed,
  startFeed,
} from './helpers/ws-feed.ts';

const CLIENT_QUEUE = 16;
/** The sink's limits (src/sinks/websocket.ts): video frames queued, unsent bytes per socket. */
const VIDEO_QUEUE = 8;
const HIGH_WATER_BYTES = 256 * 1024;
/** Drops the stalled client must reach before the run is stopped. */
const DROPS_WANTED = 60;
const FRAME_LIMIT = 6000;

test('a client that never reads loses its own messages; nobody else notices', async () => {
  const g = gate();
  let running: RunningFeed | undefined;
  const samples: { dropped: number; text: number; video: number; buffered: number }[] = [];
  let stopped = false;
  const watch = probe((frame: Frame) => {
    const stalled = running?.feed.clientStats()[3];
    if (!stalled || stopped) return;
    samples.push({
      dropped: stalled.dropped,
      text: stalled.textQueued,
      video: stalled.videoQueued,
      buffered: stalled.bufferedAmount,
    });
    if ((stalled.dropped >= DROPS_WANTED && frame.seq >= 200) || frame.seq >= FRAME_LIMIT) {
      // Enough seen: it reads again, so its next stats message can tell what it lost.
      stopped = true;
      stall.resume();
      if (frame.seq >= FRAME_LIMIT) running!.run.stop();
    }
  });
  running = await startFeed(
    `
name: slow-client
source: { type: testsrc, pattern: testsrc2, size: 640x360, rate: 30 }
stages:
  - type: gate
  - type: fake-detect
  - type: probe
sinks:
  - type: websocket
    port: 0
    video: h264
    clientQueue: ${CLIENT_QUEUE}
`,
    { stages: [g.def, fakeDetect, watch] },
  );
  const fast = [
    new FeedClient(running.url),
    new FeedClient(running.url),
    new FeedClient(running.url),
  ];
  for (const c of fast) await c.opened;
  const stall = new FeedClient(running.url);
  await stall.opened;
  stall.send({ type: 'subscribe', topics: ['detections', 'stats', 'video'] });
  await stall.until(() => stall.of('subscribed').length === 1, 'subscribed');
  stall.stall();
  g.open();
  await stall.until(
    () => stopped && stall.of('stats').some((m) => (m.dropped as number) >= DROPS_WANTED),
    'a stats message that counts the drops',
    120_000,
  );
  running.run.stop();
  const result = await running.done;
  assert.not.instance(result, Error, String(result));
  const { meters } = result as RunResult;
  await Promise.all([...fast, stall].map((c) => c.closed));

  const source = meters.find((m) => m.kind === 'source')!;
  const sink = meters.find((m) => m.name === 'sink:websocket')!;
  const frames = source.framesOut;
  assert.ok(frames < FRAME_LIMIT, `the stalled client had only ${samples.at(-1)?.dropped} drops`);
  // The pipeline did not notice: every frame reached the sink, none dropped there.
  assert.is(sink.framesIn, frames);
  assert.is(sink.dropped, 0);
  // Every other client got every detection message, in order.
  for (const c of fast) {
    assert.equal(c.problems, []);
    const seqs = c.of('detections').map((m) => m.seq as number);
    assert.is(seqs.length, frames);
    assert.ok(seqs.every((s, i) => s === i));
  }
  // The stalled one stayed within its bounds while its drop counter grew.
  assert.ok(samples.length > 100);
  assert.ok(Math.max(...samples.map((s) => s.text)) <= CLIENT_QUEUE);
  assert.ok(Math.max(...samples.map((s) => s.video)) <= VIDEO_QUEUE);
  const biggestFrame = Math.max(...stall.binary.map((b) => b.length), 64 * 1024);
  assert.ok(Math.max(...samples.map((s) => s.buffered)) < HIGH_WATER_BYTES + 2 * biggestFrame);
  const dropped = samples.map((s) => s.dropped);
  assert.ok(dropped.every((d, i) => i === 0 || d >= dropped[i - 1]!));
  assert.ok(dropped.at(-1)! >= DROPS_WANTED);
  // What it finally read says so too: fewer detections, and its own stats count the loss.
  assert.equal(stall.problems, []);
  assert.ok(stall.of('detections').length < frames);
  const lastStats = stall.of('stats').at(-1)!;
  assert.ok((lastStats.dropped as number) >= DROPS_WANTED);
  assert.ok(stall.binary.length > 0);
});

test.run();
