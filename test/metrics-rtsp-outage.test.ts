// /readyz and /metrics around a real camera outage: GStreamer's RTSP server
// stopped and started under a running `framewire run` with `metrics: {port: 0}`.
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CliProcess } from './helpers/cli-process.ts';
import { tempDir } from './helpers/media.ts';
import { parsePrometheusText, sampleValue } from './helpers/prometheus-text.ts';
import { RtspTestServer } from './helpers/rtsp-server.ts';

const { dir, cleanup } = tempDir('framewire-metrics-rtsp-');
let server: RtspTestServer | undefined;
let cli: CliProcess | undefined;
test.after(async () => {
  cli?.kill();
  await server?.stop();
  cleanup();
});

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function poll(what: string, ok: () => Promise<boolean>, seconds: number): Promise<void> {
  const end = performance.now() + seconds * 1000;
  while (!(await ok())) {
    if (performance.now() > end) throw new Error(`${seconds} s before ${what}\n${cli?.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('/readyz is 503 while the camera is away and 200 again after it is back', async () => {
  server = await RtspTestServer.start();
  writeFileSync(
    join(dir, 'camera.yaml'),
    [
      'metrics: { port: 0 }',
      'source:',
      '  type: rtsp',
      `  url: ${server.url()}`,
      '  backoff: { initial: 0.4, max: 1.6, multiplier: 2 }',
      '  stallSeconds: 3',
      '  readTimeout: 2',
      'sinks: [ { type: "null" } ]',
    ].join('\n'),
  );
  cli = new CliProcess(['run', 'camera.yaml', '--json-stats', 'stats.json'], { cwd: dir });
  let base = '';
  await cli.until(
    'the metrics URL',
    () => {
      const m = /metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(cli!.stderr);
      if (m) base = m[1]!;
      return m !== null;
    },
    30,
  );
  const ready = () => get(`${base}/readyz`);
  await poll('ready', async () => (await ready()).status === 200, 60);
  const before = await get(`${base}/metrics`);
  const f1 = parsePrometheusText(before.body);
  assert.is(
    sampleValue(f1, 'framewire_health_state', { component: 'source:rtsp', state: 'connected' }),
    1,
  );

  await server.stop();
  let away: { status: number; body: string } | undefined;
  await poll(
    'not ready',
    async () => {
      const r = await ready();
      if (r.status === 503) away = r;
      return r.status === 503;
    },
    30,
  );
  assert.match(away!.body, /^source:rtsp (stalled|reconnecting|connecting)/);
  assert.is((await get(`${base}/healthz`)).status, 200);
  const f2 = parsePrometheusText((await get(`${base}/metrics`)).body);
  assert.is(sampleValue(f2, 'framewire_ready'), 0);
  assert.is(
    sampleValue(f2, 'framewire_health_state', { component: 'source:rtsp', state: 'connected' }),
    0,
  );

  await server.start();
  await poll('ready again', async () => (await ready()).status === 200, 60);
  const f3 = parsePrometheusText((await get(`${base}/metrics`)).body);
  assert.is(
    sampleValue(f3, 'framewire_events_total', { component: 'source:rtsp', code: 'RECONNECT' }),
    1,
  );
  assert.ok(
    sampleValue(f3, 'framewire_frames_out_total', { component: 'source:rtsp' }) >
      sampleValue(f1, 'framewire_frames_out_total', { component: 'source:rtsp' }),
  );
  assert.ok(f3.get('framewire_latency_seconds')!.samples.length > 0, 'capture-to-sink latency');
  cli.signal('SIGINT');
  const exit = await cli.exited;
  assert.is(exit.code, 0, cli.stderr);
});

test.run();
