// Protocol v1 on a real pipeline (testsrc → stand-in detector → track → count
// → websocket) with real `ws` clients: the order and shape of every message
// (each one checked against the shipped JSON Schemas), subscribe, bad client
// messages, and who may connect (token, maxClients, origins).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import type { ComponentContext } from '../src/core/component.ts';
import { ConfigError } from '../src/core/errors.ts';
import { fakeSource } from './helpers/fake-pipeline.ts';
import { FeedClient, fakeDetect, gate, startFeed } from './helpers/ws-feed.ts';

const FRAMES = 40;

/** The test pipeline started behind a gate: clients connect, then `g.open()` lets frames through. */
async function gated(yaml: string) {
  const g = gate();
  const running = await startFeed(yaml, { stages: [g.def, fakeDetect] });
  return { g, running };
}

function pipeline(sinkExtra = ''): string {
  return `
name: protocol-test
source: { type: testsrc, size: 320x240, rate: 20, duration: ${FRAMES / 20} }
stages:
  - type: gate
  - type: fake-detect
  - type: track
  - type: count
    lines: [{ name: door, from: [100, 0], to: [100, 240] }]
    zones: [{ name: lot, polygon: [[90, 40], [160, 40], [160, 100], [90, 100]] }]
sinks:
  - type: websocket
    port: 0
    clientQueue: 1000
${sinkExtra}`;
}

test('hello comes first, then one detections message per frame in seq order, all valid v1 messages', async () => {
  const { g, running } = await gated(pipeline());
  const client = new FeedClient(running.url);
  await client.opened;
  await client.until(() => client.messages.length > 0, 'hello');
  g.open();
  const result = await running.done;
  assert.not.instance(result, Error);
  await client.closed;

  assert.equal(client.problems, [], client.problems.join('\n'));
  const hello = client.messages[0]!;
  assert.is(hello.type, 'hello');
  assert.is(hello.v, 1);
  assert.is(hello.pipeline, 'protocol-test');
  assert.is(hello.width, 320);
  assert.is(hello.height, 240);
  assert.is(hello.fps, 20);
  assert.equal(hello.subscriptions, ['detections', 'stats', 'health']);
  assert.is(hello.video, 'none');

  const detections = client.of('detections');
  assert.equal(
    detections.map((m) => m.seq),
    Array.from({ length: FRAMES }, (_, i) => i),
  );
  // The stand-in detector's answers, as the JSON-lines objects.
  const first = detections[0]!;
  assert.is(first.width, 320);
  assert.is(first.pts, 0);
  const boxes = (first.detections as { box: number[]; label: string }[]).map((d) => [
    d.label,
    d.box,
  ]);
  assert.equal(boxes, [
    ['person', [10, 20, 40, 90]],
    ['car', [100, 50, 150, 80]],
  ]);
  // Tracks get ids after the tracker confirms them, and the count geometry rides along.
  const late = detections.at(-1)!;
  assert.ok(
    (late.detections as { trackId?: number }[]).every((d) => typeof d.trackId === 'number'),
  );
  assert.equal(late.geometry, {
    lines: [{ name: 'door', from: [100, 0], to: [100, 240] }],
    zones: [
      {
        name: 'lot',
        polygon: [
          [90, 40],
          [160, 40],
          [160, 100],
          [90, 100],
        ],
      },
    ],
  });
  // The person's bottom-centre walks from x = 25 to 25 + 4·39 = 181 across the line at x = 100.
  const door = (late.counts as { lines: Record<string, { in: number; out: number }> }).lines.door!;
  assert.is(door.in + door.out, 1);
  assert.is(client.order[0], 't');
});

test("stats arrive once a second with every component and the client's own dropped count", async () => {
  const { g, running } = await gated(
    pipeline().replace(`duration: ${FRAMES / 20}`, 'realtime: true, duration: 3'),
  );
  const client = new FeedClient(running.url);
  await client.opened;
  g.open();
  await client.until(() => client.of('stats').length >= 2, 'two stats messages');
  running.run.stop();
  await running.done;
  await client.closed;
  assert.equal(client.problems, [], client.problems.join('\n'));
  const stats = client.of('stats').at(-1)! as {
    components: { name: string; kind: string; in: number }[];
    dropped: number;
  };
  assert.equal(
    stats.components.map((c) => c.name),
    ['source:testsrc', 'gate', 'fake-detect', 'track', 'count', 'sink:websocket'],
  );
  assert.is(stats.dropped, 0);
  assert.ok(stats.components.every((c) => c.in > 0));
});

test('health: the current state right after hello, then each event as it happens', async () => {
  const g = gate();
  let sourceCtx: ComponentContext | undefined;
  const live = fakeSource('fake-live', (seq, ctx) => {
    if (seq === 0) sourceCtx = ctx;
  });
  const running = await startFeed(
    `
source: { type: fake-live, frames: 30 }
stages: [{ type: gate }]
sinks: [{ type: websocket, port: 0 }]
`,
    { sources: [live], stages: [g.def] },
  );
  while (!sourceCtx) await new Promise((r) => setTimeout(r, 10));
  sourceCtx.health({ state: 'connected' });
  const first = new FeedClient(running.url);
  await first.until(() => first.of('health').length === 1, 'the current health');
  sourceCtx.health({
    state: 'reconnecting',
    attempt: 2,
    delayMs: 400,
    detail: 'connection refused',
  });
  await first.until(() => first.of('health').length === 2, 'the reconnecting event');
  const second = new FeedClient(running.url);
  await second.until(() => second.of('health').length === 1, 'the current health (second)');
  g.open();
  await running.done;
  await Promise.all([first.closed, second.closed]);
  assert.equal(first.problems, []);
  assert.equal(second.problems, []);
  assert.equal(
    first.messages.slice(0, 2).map((m) => [m.type, m.state]),
    [
      ['hello', undefined],
      ['health', 'connected'],
    ],
  );
  const event = first.of('health')[1]!;
  assert.equal(
    {
      component: event.component,
      state: event.state,
      attempt: event.attempt,
      delayMs: event.delayMs,
      detail: event.detail,
    },
    {
      component: 'source:fake-live',
      state: 'reconnecting',
      attempt: 2,
      delayMs: 400,
      detail: 'connection refused',
    },
  );
  assert.equal(
    second.messages.slice(0, 2).map((m) => [m.type, m.state]),
    [
      ['hello', undefined],
      ['health', 'reconnecting'],
    ],
  );
});

test('subscribe chooses the topics; bad messages get an error and the connection stays open', async () => {
  const { g, running } = await gated(pipeline());
  const quiet = new FeedClient(running.url);
  const picky = new FeedClient(running.url);
  await Promise.all([quiet.opened, picky.opened]);
  quiet.send({ type: 'subscribe', topics: [] });
  picky.send('{"type": "subscribe", "topics": [');
  picky.send({ type: 'hello' });
  picky.send({ type: 'subscribe', topics: ['detections', 'weather'] });
  picky.send({ type: 'subscribe', topics: 'detections' });
  picky.send({ type: 'subscribe', topics: ['detections'], extra: 1 });
  picky.send([1, 2]);
  picky.send(Buffer.from([1, 2, 3]));
  picky.send({ type: 'subscribe', topics: ['detections'] });
  await quiet.until(() => quiet.of('subscribed').length === 1, 'subscribed (quiet)');
  await picky.until(() => picky.of('subscribed').length === 1, 'subscribed (picky)');
  g.open();
  await running.done;
  await Promise.all([quiet.closed, picky.closed]);

  assert.equal(quiet.problems, []);
  assert.equal(picky.problems, [], picky.problems.join('\n'));
  assert.equal(
    quiet.messages.map((m) => m.type),
    ['hello', 'subscribed'],
  );
  const errors = picky.of('error').map((m) => m.message as string);
  assert.is(errors.length, 7);
  assert.match(errors[0]!, /malformed JSON/);
  assert.match(errors[1]!, /unknown message type "hello"/);
  assert.match(errors[2]!, /unknown topic "weather"/);
  assert.match(errors[3]!, /"topics" must be a list/);
  assert.match(errors[4]!, /unknown field "extra"/);
  assert.match(errors[5]!, /JSON object/);
  assert.match(errors[6]!, /binary messages/);
  // Still open after all that: the last subscribe took effect and every frame came.
  assert.equal(
    picky.of('detections').map((m) => m.seq),
    Array.from({ length: FRAMES }, (_, i) => i),
  );
  assert.is(picky.of('stats').length, 0);
});

test('a client message over 64 KiB closes that connection with 1009, and only that one', async () => {
  const { g, running } = await gated(pipeline());
  const big = new FeedClient(running.url);
  const other = new FeedClient(running.url);
  await Promise.all([big.opened, other.opened]);
  big.send(JSON.stringify({ type: 'subscribe', topics: [], pad: 'x'.repeat(64 * 1024) }));
  const closed = await big.closed;
  assert.is(closed.code, 1009);
  g.open();
  await running.done;
  await other.closed;
  assert.is(other.of('detections').length, FRAMES);
  assert.not.instance(await running.done, Error);
});

test('a client flooding the server with messages is closed with 1008; the others go on', async () => {
  const { g, running } = await gated(pipeline());
  const flood = new FeedClient(running.url);
  const other = new FeedClient(running.url);
  await Promise.all([flood.opened, other.opened]);
  for (let i = 0; i < 100; i++) flood.send({ type: 'subscribe', topics: ['detections'] });
  const closed = await flood.closed;
  assert.is(closed.code, 1008);
  assert.ok(flood.of('subscribed').length <= 20);
  g.open();
  await running.done;
  await other.closed;
  assert.is(other.of('detections').length, FRAMES);
});

test('examples/ws-client.ts connects with a token and prints one line per frame', async () => {
  const { g, running } = await gated(pipeline('    token: example-token'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'examples/ws-client.ts',
      running.url,
      '--token',
      'example-token',
      '--topics',
      'detections',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => {
    out += t;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    while (!out.includes('hello:')) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    g.open();
    await running.done;
    assert.is(await exited, 0);
  } finally {
    child.kill();
    g.open();
  }
  const lines = out.trim().split('\n');
  assert.is(lines[0], 'hello: protocol-test 320x240 @ 20 fps, video none');
  const frames = lines.filter((l) => l.startsWith('frame '));
  assert.is(frames.length, FRAMES);
  assert.is(frames[0], 'frame 0 pts 0.000s: person 0.90, car 0.75');
  assert.match(lines.at(-1)!, /^closed \(1001 the pipeline ended\)$/);
});

test('a token is required away from loopback: validation says so at the host', () => {
  const yaml = `
source: { type: testsrc }
sinks:
  - type: websocket
    host: 0.0.0.0
`;
  try {
    parsePipeline(yaml, 'feed.yaml', { registries });
    assert.unreachable('validated without a token');
  } catch (err) {
    assert.instance(err, ConfigError);
    const text = (err as Error).message;
    assert.match(text, /feed\.yaml:5:5/);
    assert.match(text, /token is required/);
  }
  parsePipeline(yaml.replace('host: 0.0.0.0', 'host: 0.0.0.0\n    token: s3cret'), 'feed.yaml', {
    registries,
  });
});

test('two websocket sinks on one port are refused at validation; on two ports both serve', async () => {
  const yaml = `
source: { type: testsrc }
sinks:
  - type: websocket
    port: 18777
  - type: websocket
    port: 18777
`;
  assert.throws(
    () => parsePipeline(yaml, 'feed.yaml', { registries }),
    (err: Error) =>
      /feed\.yaml:7:5/.test(err.message) &&
      /port 18777 is already used by sinks\[0\]/.test(err.message),
  );
  const { g, running } = await gated(
    `${pipeline()}  - type: websocket\n    port: 0\n    path: /second\n`,
  );
  assert.is(running.feeds.length, 2);
  const a = new FeedClient(running.feeds[0]!.url!);
  const b = new FeedClient(running.feeds[1]!.url!);
  assert.ok(running.feeds[1]!.url!.endsWith('/second'));
  await Promise.all([a.opened, b.opened]);
  g.open();
  await running.done;
  await Promise.all([a.closed, b.closed]);
  assert.is(a.of('detections').length, FRAMES);
  assert.is(b.of('detections').length, FRAMES);
});

test('a wrong or missing token gets 401 before the upgrade, and the log never shows it', async () => {
  const { g, running } = await gated(pipeline('    token: s3cret-token'));
  const none = new FeedClient(running.url);
  const wrongQuery = new FeedClient(`${running.url}?token=not-it-at-all`);
  const wrongHeader = new FeedClient(running.url, {
    headers: { Authorization: 'Bearer s3cret-tokem' },
  });
  const byHeader = new FeedClient(running.url, {
    headers: { Authorization: 'Bearer s3cret-token' },
  });
  const byQuery = new FeedClient(`${running.url}?token=s3cret-token`);
  for (const refused of [none, wrongQuery, wrongHeader]) {
    await refused.opened.catch(() => {});
    assert.is(refused.refusedWith, 401);
  }
  await Promise.all([byHeader.opened, byQuery.opened]);
  g.open();
  await running.done;
  assert.is(byHeader.of('detections').length, FRAMES);
  assert.is(byQuery.of('detections').length, FRAMES);
  const refusals = running.log.filter((l) => l.includes('refused'));
  assert.is(refusals.length, 3);
  assert.match(
    refusals[0]!,
    /refused a connection from 127\.0\.0\.1 to \/ws: no token \(HTTP 401\)/,
  );
  assert.match(refusals[1]!, /wrong token \(HTTP 401\)/);
  for (const line of running.log) {
    assert.not.match(line, /s3cret|not-it-at-all|\?token/);
  }
});

test('maxClients: one client more is refused with 503; a place that frees up can be taken', async () => {
  const { g, running } = await gated(pipeline('    maxClients: 2'));
  const a = new FeedClient(running.url);
  const b = new FeedClient(running.url);
  await Promise.all([a.opened, b.opened]);
  const c = new FeedClient(running.url);
  await c.opened.catch(() => {});
  assert.is(c.refusedWith, 503);
  b.close();
  await b.closed;
  // The server has seen the close once the sink no longer counts it.
  while (running.feed.clientCount > 1) await new Promise((r) => setTimeout(r, 10));
  const d = new FeedClient(running.url);
  await d.opened;
  g.open();
  await running.done;
  assert.is(a.of('detections').length, FRAMES);
  assert.is(d.of('detections').length, FRAMES);
});

test('origins: a browser page from another origin gets 403; listed origins and programs without one get in', async () => {
  const { g, running } = await gated(pipeline('    origins: [https://dash.example.com]'));
  const stranger = new FeedClient(running.url, { headers: { Origin: 'https://evil.example.com' } });
  const listed = new FeedClient(running.url, { headers: { Origin: 'https://dash.example.com' } });
  const program = new FeedClient(running.url);
  await stranger.opened.catch(() => {});
  assert.is(stranger.refusedWith, 403);
  await Promise.all([listed.opened, program.opened]);
  g.open();
  await running.done;
  assert.is(listed.of('detections').length, FRAMES);
  assert.is(program.of('detections').length, FRAMES);
});

test('the port in use is a clear error naming it', async () => {
  const g = gate();
  const first = await startFeed(pipeline(), { stages: [g.def, fakeDetect] });
  const port = first.feed.endpoint!.port;
  const g2 = gate();
  const err = await startFeed(pipeline().replace('port: 0', `port: ${port}`), {
    stages: [g2.def, fakeDetect],
  }).catch((e: unknown) => e as Error);
  assert.instance(err, Error);
  assert.match((err as Error).message, new RegExp(`port ${port} is already in use`));
  g.open();
  await first.done;
});

test("the feed's server also answers /metrics (with the feed's own gauges), /healthz, /readyz and /", async () => {
  const { g, running } = await gated(pipeline());
  const client = new FeedClient(running.url);
  await client.opened;
  await client.until(() => client.messages.length > 0, 'hello');
  const base = running.feed.endpoint!.url;
  const metrics = await fetch(`${base}/metrics`);
  assert.is(metrics.status, 200);
  const text = await metrics.text();
  assert.match(text, /^framewire_ws_clients\{component="sink:websocket",kind="sink"\} 1$/m);
  assert.match(text, /^framewire_ws_dropped_total\{component="sink:websocket",kind="sink"\} 0$/m);
  assert.is((await fetch(`${base}/healthz`)).status, 200);
  const ready = await fetch(`${base}/readyz`);
  assert.ok(ready.status === 200 || ready.status === 503);
  // The dashboard is mounted at / (503 with advice when its bundle was not built).
  const page = await fetch(`${base}/`);
  assert.ok(page.status === 200 || page.status === 503, `GET / answered ${page.status}`);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  g.open();
  await running.done;
});

test('heartbeat: a client that stops answering pings is dropped; the others stay', async () => {
  const { g, running } = await gated(
    pipeline('    heartbeatSeconds: 1').replace(`duration: ${FRAMES / 20}`, 'realtime: true'),
  );
  const alive = new FeedClient(running.url);
  const dead = new FeedClient(running.url);
  await Promise.all([alive.opened, dead.opened]);
  // A paused socket reads no ping, so it answers none: to the server it is a dead peer.
  dead.stall();
  g.open();
  while (running.feed.clientCount > 1) await new Promise((r) => setTimeout(r, 50));
  assert.is(running.feed.clientCount, 1);
  const before = alive.of('detections').length;
  await alive.until(() => alive.of('detections').length > before + 5, 'more frames');
  running.run.stop();
  await running.done;
  dead.resume();
  const { code } = await dead.closed;
  assert.is(code, 1006); // terminated, no close frame
  assert.equal(alive.problems, []);
});

test('tls: the feed is served as wss with the given certificate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'framewire-ws-tls-'));
  try {
    const key = join(dir, 'feed.key');
    const cert = join(dir, 'feed.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const { g, running } = await gated(pipeline(`    tls: { cert: ${cert}, key: ${key} }`));
    try {
      assert.match(running.url, /^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
      const client = new FeedClient(running.url, { ca: cert });
      await client.opened;
      g.open();
      await running.done;
      await client.closed;
      assert.is(client.of('detections').length, FRAMES);
      assert.equal(client.problems, []);
    } finally {
      g.open();
      running.run.stop();
      await running.done;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
