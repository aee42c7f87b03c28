// The rtsp sink against a real server (rtsp-server-perl) through the CLI: a
// test pattern without an encode stage gets the implicit one and is
// published; the stream read back with the bundled ffmpeg decodes to the
// expected size with its key-frame spacing; a server that starts late is
// waited for; maxAttempts gives up with one clear error; URLs that are not
// rtsp:// are refused at validation. Credentials never appear in any output.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, tempDir } from './helpers/media.ts';
import { readRtsp } from './helpers/rtsp-reader.ts';
import { type PerlRtspServer, startPerlRtspServer } from './helpers/rtsp-perl-server.ts';
import { startCli } from './helpers/running-cli.ts';

const { dir, cleanup } = tempDir('fw-rtsp-sink-');
const servers: PerlRtspServer[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => s.kill()));
  cleanup();
});

/** A password with the characters that break naive redaction. */
const PASSWORD = 'pa:ss@w0rd';
const USERINFO = `cam:${PASSWORD}`;

function pipeline(name: string, yaml: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

interface Meter {
  name: string;
  framesIn: number;
  framesOut: number;
  dropped: number;
  events: Record<string, number>;
}
function meters(statsPath: string): Meter[] {
  return JSON.parse(readFileSync(statsPath, 'utf8')).meters;
}

function assertNoPassword(...texts: string[]): void {
  for (const text of texts) {
    assert.not.ok(text.includes(PASSWORD), `the password leaked:\n${text}`);
    assert.not.ok(text.includes('w0rd'), `part of the password leaked:\n${text}`);
  }
}

test('testsrc → (implicit encode) → rtsp: the stream read back is H.264 320x240 with a key frame every 0.5 s', async () => {
  const server = await startPerlRtspServer();
  servers.push(server);
  const url = server.publishUrl('live', USERINFO);
  const p = pipeline(
    'publish',
    `source: { type: testsrc, size: 320x240, rate: 25, duration: 8, realtime: true }
sinks:
  - { type: rtsp, url: "${url}", transport: udp, keyframeInterval: 0.5 }
  - { type: jsonl, path: out/publish.jsonl }
`,
  );
  const run = startCli(['run', p, '--json-stats', 'out/publish.json'], { cwd: dir });
  await run.waitFor(/sink:rtsp connected/);
  const read = await readRtsp(server.readUrl('live'), 3);
  const result = await run.done;
  assert.is(result.code, 0, result.stderr);
  assert.is(read.code, 0, read.stderr);
  assert.match(read.streamLine ?? '', /^h264 \(High\), yuv420p.*320x240/);
  assert.ok(read.frames.length >= 60, `${read.frames.length} frames in 3 s at 25 fps`);
  // The frames' own timestamps travel (FLV into ffmpeg, RTP out): 40 ms apart.
  // The reader's first picture is left out: ffmpeg's RTP demuxer stamps the
  // first packet before the first RTCP sender report and re-bases after it.
  // A datagram lost on loopback would show as one 80 ms step; allow two.
  const timed = read.frames.slice(1);
  const steps = timed.slice(1).map((f, i) => Math.round((f.ptsTime - timed[i]!.ptsTime) * 1000));
  assert.ok(steps.filter((d) => d !== 40).length <= 2, `pts steps (ms): ${steps}`);
  assert.ok(
    steps.every((d) => d > 0 && d % 40 === 0),
    `pts steps (ms): ${steps}`,
  );
  assert.ok(read.frames.every((f) => f.width === 320 && f.height === 240));
  assert.ok(read.frames[0]!.key, 'decoding starts at a key frame');
  const keys = read.frames.flatMap((f, i) => (f.key ? [i] : []));
  const gaps = keys.slice(1).map((k, i) => k - keys[i]!);
  assert.ok(gaps.length >= 4, `key frames at ${keys}`);
  assert.ok(
    gaps.every((g) => g === 12 || g === 13),
    `0.5 s at 25 fps is a key frame every 12.5 frames: ${gaps}`,
  );

  const all = meters(join(dir, 'out/publish.json'));
  const encode = all.find((m) => m.name === 'encode');
  assert.ok(encode, 'the implicit encode stage ran');
  const sink = all.find((m) => m.name === 'sink:rtsp')!;
  assert.is(sink.framesIn, 200);
  assert.is(sink.framesOut, 200);
  assert.is(sink.events.CONNECTION_LOST, undefined);
  const lines = readFileSync(join(dir, 'out/publish.jsonl'), 'utf8').trim().split('\n');
  // 200 frame records; the sink's health records (`"type":"health"`) come between them.
  const records = lines.map((l) => JSON.parse(l) as { type?: string });
  assert.is(records.filter((r) => r.type === undefined).length, 200);
  assert.ok(
    records.some((r) => r.type === 'health'),
    'the sink reported connecting/connected',
  );
  assert.match(result.stderr, /sink:rtsp connected: rtsp:\/\/\*\*\*@127\.0\.0\.1:\d+\/live/);
  assertNoPassword(
    result.stdout,
    result.stderr,
    readFileSync(join(dir, 'out/publish.json'), 'utf8'),
  );
  await server.kill();
});

test('a server that starts after the pipeline is waited for (the first connect is retried)', async () => {
  const server = await startPerlRtspServer();
  servers.push(server);
  await server.kill();
  const p = pipeline(
    'late',
    `source: { type: testsrc, size: 320x240, rate: 25, duration: 6, realtime: true }
sinks:
  - type: rtsp
    url: "${server.publishUrl('late', USERINFO)}"
    transport: udp
    backoff: { initial: 0.2, max: 0.5 }
`,
  );
  const run = startCli(['run', p, '--json-stats', 'out/late.json'], { cwd: dir });
  await run.waitFor(/sink:rtsp reconnecting \(attempt 2,/);
  await server.start();
  await run.waitFor(/sink:rtsp connected/);
  const read = await readRtsp(server.readUrl('late'), 1);
  const result = await run.done;
  assert.is(result.code, 0, result.stderr);
  assert.ok(read.frames.length > 10, read.stderr);
  assert.ok(read.frames[0]!.key);
  assert.match(
    result.stderr,
    /sink:rtsp reconnecting \(attempt 1, in \d+ ms\): rtsp:\/\/\*\*\*@127\.0\.0\.1:\d+\/late: connection refused/,
  );
  const sink = meters(join(dir, 'out/late.json')).find((m) => m.name === 'sink:rtsp')!;
  assert.is(sink.framesIn, 150, 'the pipeline ran on while the server was away');
  assert.ok((sink.events.NOT_CONNECTED ?? 0) > 0, JSON.stringify(sink.events));
  assert.is(sink.events.RECONNECT, undefined, 'the first connection is no reconnect');
  assertNoPassword(result.stdout, result.stderr);
  await server.kill();
});

test('maxAttempts: a server that never comes ends the run with one clear error, exit 1', async () => {
  const server = await startPerlRtspServer();
  servers.push(server);
  await server.kill();
  const p = pipeline(
    'never',
    `source: { type: testsrc, size: 320x240, rate: 25, realtime: true }
sinks:
  - type: rtsp
    url: "${server.publishUrl('never', USERINFO)}"
    backoff: { initial: 0.1, max: 0.2 }
    maxAttempts: 2
`,
  );
  const run = startCli(['run', p, '--quiet'], { cwd: dir, boundMs: 60_000 });
  const result = await run.done;
  assert.not.ok(result.hung, 'the run ended by itself');
  assert.is(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /cannot publish to rtsp:\/\/\*\*\*@127\.0\.0\.1:\d+\/never: connection refused \(2 attempts in a row\)/,
  );
  assert.not.match(result.stderr, /\n\s+at /);
  assertNoPassword(result.stdout, result.stderr);
});

test('a server that accepts the connection but never answers: the attempt times out, the pipeline runs on', async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const p = pipeline(
      'silent',
      `source: { type: testsrc, size: 320x240, rate: 25, duration: 5, realtime: true }
sinks:
  - type: rtsp
    url: "rtsp://${USERINFO}@127.0.0.1:${port}/silent"
    connectTimeout: 1
    backoff: { initial: 0.1, max: 0.2 }
  - { type: jsonl, path: out/silent.jsonl }
`,
    );
    const run = startCli(['run', p, '--json-stats', 'out/silent.json'], {
      cwd: dir,
      boundMs: 60_000,
    });
    const result = await run.done;
    assert.is(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /sink:rtsp reconnecting \(attempt 1, in \d+ ms\): rtsp:\/\/\*\*\*@127\.0\.0\.1:\d+\/silent: no answer within 1 s/,
    );
    const all = meters(join(dir, 'out/silent.json'));
    assert.is(
      all.find((m) => m.name === 'sink:jsonl')!.framesOut,
      125,
      'every frame reached the other sink',
    );
    const sink = all.find((m) => m.name === 'sink:rtsp')!;
    assert.is(sink.framesIn, 125);
    assertNoPassword(result.stdout, result.stderr);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

// Each case: a URL that is not usable, and what validation must say about it.
const BAD_URLS: [string, RegExp][] = [
  [
    `http://${USERINFO}@cam.local/live`,
    /"http:\/\/\*\*\*@cam\.local\/live" is not an rtsp:\/\/ URL/,
  ],
  [`rtsps://${USERINFO}@cam.local/live`, /is not an rtsp:\/\/ URL \(rtsps.*not supported/],
  ['127.0.0.1:8554/live', /is not an rtsp:\/\/ URL/],
  [`rtsp://${USERINFO}@/live`, /names no server/],
];

test('validation refuses URLs that are not rtsp://, naming them redacted (exit 2)', async () => {
  for (const [url, message] of BAD_URLS) {
    const p = pipeline(
      'bad',
      `source: { type: testsrc, size: 320x240, duration: 1 }\nsinks:\n  - { type: rtsp, url: "${url}" }\n`,
    );
    const r = await runCli(['validate', p], { cwd: dir });
    assert.is(r.code, 2, `${url}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /sinks\[0\]\.url/);
    assertNoPassword(r.stdout, r.stderr);
  }
});

test.run();
