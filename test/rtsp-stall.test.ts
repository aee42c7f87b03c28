// A camera that hangs: the connection stays open and nothing more comes. The stall
// watchdog (not a socket error) notices, reconnects once the camera is back, and the
// stream goes on with a discontinuity.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import type { HealthReport } from '../src/core/health.ts';
import { silentLogger } from '../src/core/log.ts';
import { tempDir } from './helpers/media.ts';
import { readJsonl } from './helpers/rtsp-run.ts';
import { RtspTestServer } from './helpers/rtsp-server.ts';

const { dir, cleanup } = tempDir('framewire-rtsp-stall-');
let server: RtspTestServer | undefined;
test.after(async () => {
  server?.resume();
  await server?.stop();
  cleanup();
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a frozen camera: stalled after stallSeconds, reconnected when it wakes, frames resume', async () => {
  server = await RtspTestServer.start();
  const out = join(dir, 'out.jsonl');
  const yaml = [
    // The socket timeout is longer than the watchdog, so the watchdog is what notices.
    `source: ${JSON.stringify({ type: 'rtsp', url: server.url(), stallSeconds: 1.5, readTimeout: 4, backoff: { initial: 0.2, max: 0.5 } })}`,
    `sinks: [ ${JSON.stringify({ type: 'jsonl', path: out })} ]`,
  ].join('\n');
  const config = parsePipeline(yaml, 'stall.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: dir,
  });
  const health: HealthReport[] = [];
  run.metrics.onHealth((r) => health.push(r));
  const written = () => run.snapshot().find((m) => m.kind === 'sink')?.framesOut ?? 0;
  const until = async (what: string, ok: () => boolean) => {
    for (let i = 0; i < 600 && !ok(); i++) await wait(100);
    if (!ok()) throw new Error(`never: ${what}; health ${health.map((h) => h.event.state)}`);
  };
  const running = run.run();
  await until('first frames', () => written() >= 25);
  server.pause();
  await until('stalled', () => health.some((h) => h.event.state === 'stalled'));
  const before = written();
  server.resume();
  await until('frames after the stall', () => written() >= before + 25);
  run.stop();
  const result = await running;
  await server.stop();

  const states = health.map((h) => h.event.state);
  const stalled = states.indexOf('stalled');
  assert.ok(stalled >= 0, String(states));
  assert.is(health[stalled]!.event.detail, 'no frame for 1.5 s');
  assert.ok(states.slice(stalled).includes('reconnecting'), String(states));
  assert.is(states.at(-1), 'connected', String(states));
  const source = result.meters.find((m) => m.name === 'source:rtsp')!;
  assert.is(source.events.CONNECTION_LOST, 1);
  assert.is(source.events.RECONNECT, 1);
  // One gap in pts, at least the watchdog's 1.5 s, with frames on both sides.
  const frames = readJsonl(out).filter((r) => typeof r.seq === 'number') as { pts: number }[];
  const steps = frames.slice(1).map((f, i) => f.pts - frames[i]!.pts);
  assert.ok(steps.every((s) => s > 0));
  const gaps = steps.filter((s) => s >= 1_500_000);
  assert.is(gaps.length, 1, JSON.stringify(steps.filter((s) => s > 100_000)));
});

test.run();
