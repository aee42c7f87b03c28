// The rtsp source's pure parts: ffmpeg's input arguments, the message for each way a
// connection fails (from ffmpeg's own stderr lines), and timestamps kept increasing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame } from '../src/core/frame.ts';
import { IncreasingTimes } from '../src/sources/increasing-times.ts';
import { rtspInputArgs } from '../src/sources/rtsp-connection.ts';
import { rtspOpenError } from '../src/sources/rtsp-errors.ts';
import { withResolvedHost } from '../src/sources/resolved-host.ts';

const URL = 'rtsp://admin:p%40ss@10.0.0.5:554/Streaming/Channels/101';
const LABEL = 'rtsp://***@10.0.0.5:554/Streaming/Channels/101';

test('ffmpeg input arguments per transport; -stimeout is in microseconds', () => {
  const tail = ['-stimeout', '2500000', '-allowed_media_types', 'video', '-i', URL];
  assert.equal(rtspInputArgs({ url: URL, transport: 'tcp', readTimeout: 2.5 }), [
    '-rtsp_transport',
    'tcp',
    ...tail,
  ]);
  assert.equal(rtspInputArgs({ url: URL, transport: 'udp', readTimeout: 2.5 }), [
    '-rtsp_transport',
    'udp',
    ...tail,
  ]);
  // auto: ffmpeg's own order (UDP, then TCP).
  assert.equal(rtspInputArgs({ url: URL, transport: 'auto', readTimeout: 2.5 }), tail);
});

// The lines are the bundled ffmpeg's, as it printed them against the test servers.
const cases: { name: string; stderr: string; message: string; hint: RegExp }[] = [
  {
    name: '401',
    stderr: `[rtsp @ 0x1b95dc00] method DESCRIBE failed: 401 Unauthorized\n${URL}: Server returned 401 Unauthorized (authorization failed)`,
    message: `authentication failed for ${LABEL} (401 Unauthorized)`,
    hint: /percent-encode/,
  },
  {
    name: '404',
    stderr: `[rtsp @ 0x34d32bc0] method DESCRIBE failed: 404 Not Found\n${URL}: Server returned 404 Not Found`,
    message: `no stream at ${LABEL} (404 Not Found)`,
    hint: /stream path/,
  },
  {
    name: 'another status',
    stderr: `${URL}: Server returned 5XX Server Error reply`,
    message: `the camera answered 5XX Server Error reply for ${LABEL}`,
    hint: /manual/,
  },
  {
    name: 'refused',
    stderr: `[tcp @ 0x3e278c00] Connection to tcp://10.0.0.5:554?timeout=0 failed: Connection refused\n${URL}: Connection refused`,
    message: `connection refused by ${LABEL} (nothing listens on that host and port)`,
    hint: /port/,
  },
  {
    name: 'a silent server (accepted, then nothing within -stimeout)',
    stderr: `${URL}: Invalid data found when processing input`,
    message: `no RTSP answer from ${LABEL} within 2 s (the server accepted the connection and said nothing, or is not an RTSP server)`,
    hint: /readTimeout/,
  },
  {
    name: 'an unreachable host',
    stderr: `[tcp @ 0x1] Connection to tcp://10.0.0.5:554?timeout=2000000 failed: Connection timed out\n${URL}: Connection timed out`,
    message: `no answer from ${LABEL} (timed out)`,
    hint: /reachable/,
  },
  {
    name: 'anything else: the last line, redacted',
    stderr: `${URL}: Something odd`,
    message: `cannot read ${LABEL}: ${LABEL}: Something odd`,
    hint: /another player/,
  },
];

for (const c of cases) {
  test(`connection failure: ${c.name}`, () => {
    const err = rtspOpenError(c.stderr, { label: LABEL, readTimeout: 2 });
    assert.is(err.code, 'SOURCE_OPEN');
    assert.is(err.message, c.message);
    assert.match(err.hint ?? '', c.hint);
    assert.not.ok(err.message.includes('p%40ss'), 'no password');
  });
}

test('host names are resolved before ffmpeg sees them (its static build crashes resolving one)', async () => {
  const resolved = await withResolvedHost('rtsp://u:p%40ss@localhost:8554/live?ch=1&sub=0', 'L');
  assert.match(resolved, /^rtsp:\/\/u:p%40ss@(127\.0\.0\.1|\[::1\]):8554\/live\?ch=1&sub=0$/);
  assert.is(
    await withResolvedHost('rtsp://localhost/x', 'L').then((u) =>
      /^rtsp:\/\/(127\.0\.0\.1|\[::1\])\/x$/.test(u),
    ),
    true,
  );
  // Addresses and IPv6 literals pass unchanged.
  for (const url of [URL, 'rtsp://[fe80::1]:554/x', 'rtsp://10.1.2.3/x'])
    assert.is(await withResolvedHost(url, 'L'), url);
  // A name that cannot exist (.invalid, RFC 2606): a clear error naming the redacted URL.
  const err = await withResolvedHost(
    'rtsp://u:p%40ss@cam.invalid/x',
    'rtsp://***@cam.invalid/x',
  ).catch((e: Error) => e);
  assert.instance(err, Error);
  assert.match(
    (err as Error).message,
    /^cannot resolve the host name in rtsp:\/\/\*\*\*@cam\.invalid\/x \(E[A-Z_]+\)$/,
  );
});

function frame(pts: number, dts = pts, packet = true): Frame {
  return {
    seq: 0,
    pts,
    time: 0,
    width: 2,
    height: 2,
    format: 'yuv420p',
    data: new Uint8Array(0),
    sourceId: 's',
    meta: {
      timings: {},
      ...(packet
        ? { packet: { data: new Uint8Array(0), key: false, pts, dts, codec: 'avc1' } }
        : {}),
    },
  };
}

test('increasing times: a well-behaved stream is passed through untouched', () => {
  const times = new IncreasingTimes(40_000);
  const frames = [0, 40_000, 80_000].map((t) => frame(t));
  assert.ok(frames.every((f) => times.fix(f) === f));
  assert.is(times.shift, 0);
});

test('increasing times: the GStreamer start (a key frame ahead, then equal times) continues one frame on, deltas kept', () => {
  const times = new IncreasingTimes(40_000);
  // As ffmpeg printed it: the key frame at 0, six pictures clamped to 0, then the stream's own 40 ms steps.
  const input = [0, 0, 0, 0, 0, 0, 0, 40_000, 80_000];
  const out = input.map((t) => times.fix(frame(t)));
  assert.equal(
    out.map((f) => f.pts),
    [0, 40_000, 80_000, 120_000, 160_000, 200_000, 240_000, 280_000, 320_000],
  );
  assert.equal(
    out.map((f) => f.meta.packet!.dts),
    out.map((f) => f.pts),
  );
});

test('increasing times: B-frames (pts out of decode order) are judged by dts', () => {
  const times = new IncreasingTimes(40_000);
  // Decode order I P B with pts 0, 80, 40 ms and increasing dts: nothing to fix.
  const input = [frame(0, -40_000), frame(80_000, 0), frame(40_000, 40_000)];
  assert.equal(
    input.map((f) => times.fix(f).pts),
    [0, 80_000, 40_000],
  );
});

test('increasing times: decoded frames (no packet) are judged by pts', () => {
  const times = new IncreasingTimes(40_000);
  const out = [100_000, 60_000, 100_000].map((t) => times.fix(frame(t, t, false)).pts);
  assert.equal(out, [100_000, 140_000, 180_000]);
});

test.run();
