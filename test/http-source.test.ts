// The http source against a real Node HTTP server on a free port, serving
// media the bundled ffmpeg made in a temp dir: a progressive MP4, an HLS
// playlist with its segments, and an MJPEG camera stream (multipart parts
// written by the server from ffmpeg's JPEGs). Expected counts and sizes come
// from how the media was made (20 frames of 160x120 at 10 fps).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import { systemClock } from '../src/core/clock.ts';
import type { ComponentContext, Source } from '../src/core/component.ts';
import { FramewireError } from '../src/core/errors.ts';
import type { EventCode } from '../src/core/events.ts';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import type { Frame } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import type { HealthEvent } from '../src/core/health.ts';
import { silentLogger } from '../src/core/log.ts';
import { httpInputArgs } from '../src/sources/http-args.ts';
import { httpSource } from '../src/sources/http.ts';
import { MediaServer } from './helpers/http-media-server.ts';
import { tempDir } from './helpers/media.ts';

const exec = promisify(execFile);
const FRAMES = 20;
const W = 160;
const H = 120;
const SECRET = 'hunter2-secret';

const media = tempDir('framewire-http-');
let server: MediaServer;
let authServer: MediaServer;

async function ffmpeg(args: string[]): Promise<void> {
  await exec(ffmpegPath, ['-hide_banner', '-loglevel', 'error', ...args], { cwd: media.dir });
}

test.before(async () => {
  const input = ['-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=10`];
  const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  await ffmpeg([
    ...input,
    '-frames:v',
    String(FRAMES),
    ...x264,
    '-movflags',
    '+faststart',
    'clip.mp4',
  ]);
  await ffmpeg([
    ...input,
    ...['-frames:v', String(FRAMES), ...x264, '-g', '10'],
    ...['-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod'],
    'play.m3u8',
  ]);
  await ffmpeg([...input, '-frames:v', '10', '-q:v', '5', 'part%02d.jpg']);
  const jpegs = readdirSync(media.dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => readFileSync(join(media.dir, f)));
  server = new MediaServer({ dir: media.dir, jpegs, mjpegFps: 10 });
  authServer = new MediaServer({ dir: media.dir, jpegs, mjpegFps: 10, auth: `viewer:${SECRET}` });
  await server.start();
  await authServer.start();
});

test.after(async () => {
  await server.stop();
  await authServer.stop();
  media.cleanup();
});

interface Run {
  readonly source: Source;
  readonly health: HealthEvent[];
  readonly counts: Map<EventCode, number>;
}

/** The http source exactly as a pipeline file would make it (validated, defaults filled in). */
async function makeSource(options: Record<string, unknown>): Promise<Run> {
  const yaml = `source: ${JSON.stringify({ type: 'http', ...options })}\nsinks: [ { type: null } ]\n`;
  const config = parsePipeline(yaml, 'http.yaml', { registries });
  const health: HealthEvent[] = [];
  const counts = new Map<EventCode, number>();
  const ctx: ComponentContext = {
    name: 'source (http)',
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
    pool: new FramePool(),
    stream: undefined,
    count: (code, n = 1) => counts.set(code, (counts.get(code) ?? 0) + n),
    report: () => {},
    health: (event) => health.push(event),
  };
  const source = await httpSource.create(config.source.options as never, ctx);
  return { source, health, counts };
}

/** Opens the source and takes frames until `enough` says so; then stops and closes it. */
async function read(run: Run, enough: (frames: Frame[]) => boolean): Promise<Frame[]> {
  const { source } = run;
  const frames: Frame[] = [];
  try {
    await source.open();
    await new Promise<void>((resolve, reject) => {
      let stopping = false;
      source.start({
        next: (frame) => {
          frames.push(frame);
          if (!stopping && enough(frames)) {
            stopping = true;
            source.stop();
          }
        },
        error: reject,
        complete: resolve,
      });
      source.request(Number.POSITIVE_INFINITY);
    });
  } finally {
    await source.close();
  }
  return frames;
}

/** Frames up to (not including) the first one after a reconnect. */
function firstConnection(frames: Frame[]): Frame[] {
  const gap = frames.findIndex((f) => f.meta.discontinuity);
  return gap < 0 ? frames : frames.slice(0, gap);
}

function assertSteadyStream(frames: Frame[]): void {
  frames.forEach((f, i) => {
    assert.is(f.seq, i, 'seq is gapless');
    assert.is(f.width, W);
    assert.is(f.height, H);
    assert.is(f.data.byteLength, W * H * 1.5, 'one yuv420p picture');
    if (i > 0) assert.ok(f.pts > frames[i - 1]!.pts, `pts increases at frame ${i}`);
  });
}

for (const [kind, path] of [
  ['progressive MP4', '/files/clip.mp4'],
  ['HLS playlist', '/files/play.m3u8'],
] as const) {
  test(`${kind}: every frame at its size and time; the end of the media is a reconnect, not an end`, async () => {
    const run = await makeSource({ url: server.url(path), backoff: { initial: 0.05, max: 0.1 } });
    // One frame past the reconnect shows that the stream went on.
    const frames = await read(run, (got) => got.some((f) => f.meta.discontinuity));
    const first = firstConnection(frames);
    assert.is(first.length, FRAMES);
    assertSteadyStream(frames);
    // 10 fps from the media's own timestamps: 0, 100 ms, 200 ms, ...
    assert.equal(
      first.map((f) => f.pts),
      Array.from({ length: FRAMES }, (_, i) => i * 100_000),
    );
    const after = frames[FRAMES]!;
    assert.ok(after.meta.discontinuity);
    assert.ok(after.pts >= first.at(-1)!.pts + 100_000, 'pts continues after the gap');
    assert.equal(
      run.health.map((e) => e.state),
      ['connecting', 'connected', 'reconnecting', 'connecting', 'connected'],
    );
    assert.is(run.counts.get('CONNECTION_LOST'), 1);
    assert.is(run.counts.get('RECONNECT'), 1);
  });
}

test('MJPEG stream: frames at the camera size, pts from their arrival, strictly increasing', async () => {
  const run = await makeSource({ url: server.url('/mjpeg') });
  const frames = await read(run, (got) => got.length >= 15);
  assert.ok(frames.length >= 15);
  assertSteadyStream(frames);
  assert.is(frames[0]!.pts, 0);
  assert.not.ok(frames.some((f) => f.meta.discontinuity));
  assert.equal(
    run.health.map((e) => e.state),
    ['connecting', 'connected'],
  );
});

test('a host name (localhost), which the bundled ffmpeg cannot resolve itself, is read too', async () => {
  const url = server.url('/mjpeg').replace('127.0.0.1', 'localhost');
  assert.match(url, /^http:\/\/localhost:\d+\/mjpeg$/);
  const run = await makeSource({ url });
  const frames = await read(run, (got) => got.length >= 5);
  assert.ok(frames.length >= 5);
  assertSteadyStream(frames);
});

test('an outage, twice: the server goes away and comes back; the stream reconnects and goes on', async () => {
  const outage = new MediaServer({
    dir: media.dir,
    jpegs: readdirSync(media.dir)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .map((f) => readFileSync(join(media.dir, f))),
    mjpegFps: 10,
  });
  await outage.start();
  const run = await makeSource({
    url: outage.url('/mjpeg'),
    backoff: { initial: 0.2, max: 0.4 },
    readTimeout: 2,
  });
  let outages = 0;
  const downMs = 1500;
  const frames = await read(run, (got) => {
    const gaps = got.filter((f) => f.meta.discontinuity).length;
    // 5 frames on each side of every outage, then another outage, twice.
    const lastGap = got.reduce((at, f, i) => (f.meta.discontinuity ? i : at), -1);
    const sinceLast = got.length - 1 - lastGap;
    if (outages === gaps && outages < 2 && sinceLast >= 5 && got.length >= 5) {
      outages++;
      void outage.stop().then(() => setTimeout(() => void outage.start(), downMs));
    }
    return gaps === 2 && sinceLast >= 5;
  });
  await outage.stop();
  assertSteadyStream(frames);
  const gaps = frames.flatMap((f, i) => (f.meta.discontinuity ? [i] : []));
  assert.is(gaps.length, 2);
  for (const i of gaps) {
    // The server was away at least `downMs`: pts shows the pause as it was.
    assert.ok(frames[i]!.pts - frames[i - 1]!.pts >= downMs * 1000, 'the gap is in pts');
  }
  assert.is(run.counts.get('CONNECTION_LOST'), 2);
  assert.is(run.counts.get('RECONNECT'), 2);
  const states = run.health.map((e) => e.state);
  assert.is(states.filter((s) => s === 'connected').length, 3);
  // While the server was away, attempts were refused and retried with growing attempt numbers.
  const retries = run.health.filter((e) => e.state === 'reconnecting');
  assert.ok(retries.length >= 4, `retries: ${retries.length}`);
  assert.ok(retries.some((e) => (e.attempt ?? 0) >= 2));
  assert.ok(
    retries.some((e) => /connection refused/.test(e.detail ?? '')),
    JSON.stringify(retries),
  );
  for (const e of retries) assert.ok((e.delayMs ?? -1) >= 0 && (e.delayMs ?? 0) <= 400);
  assert.ok((outage.requests.get('/mjpeg') ?? 0) >= 3);
});

test('credentials in the URL are used, and never shown', async () => {
  const run = await makeSource({ url: authServer.url('/mjpeg', `viewer:${SECRET}`) });
  const frames = await read(run, (got) => got.length >= 3);
  assert.ok(frames.length >= 3);
  assert.is(frames[0]!.sourceId, authServer.url('/mjpeg', '***'));
  assert.not.match(JSON.stringify(run.health), SECRET);
});

test('a wrong password: a clear 401 naming the redacted URL, retried up to maxAttempts', async () => {
  const wrong = 'wrong-pass-99';
  const run = await makeSource({
    url: authServer.url('/mjpeg', `viewer:${wrong}`),
    backoff: { initial: 0.05, max: 0.1 },
    maxAttempts: 2,
  });
  try {
    await run.source.open();
    assert.unreachable('opened');
  } catch (err) {
    assert.instance(err, FramewireError);
    const e = err as FramewireError;
    assert.is(e.code, 'SOURCE_OPEN');
    assert.match(
      e.message,
      /^HTTP stream http:\/\/\*\*\*@127\.0\.0\.1:\d+\/mjpeg: gave up after 2 failed attempts: HTTP error 401 Unauthorized/,
      e.message,
    );
    assert.not.match(e.message, wrong);
    assert.not.match(JSON.stringify(run.health), wrong);
    const states = run.health.map((h) => h.state);
    assert.is(states[0], 'connecting');
    assert.ok(states.includes('reconnecting'));
    assert.not.ok(states.includes('connected'));
    assert.is(states.at(-1), 'failed');
    assert.is(run.health.at(-1)!.attempt, 2);
    assert.match(run.health.at(-1)!.detail ?? '', /401/);
  } finally {
    await run.source.close();
  }
});

test('validation: only http(s) URLs, shown without their password', () => {
  try {
    parsePipeline(
      `source: { type: http, url: "rtsp://admin:${SECRET}@cam/stream" }\nsinks: [ { type: null } ]\n`,
      'http.yaml',
      { registries },
    );
    assert.unreachable('accepted');
  } catch (err) {
    const message = String((err as Error).message);
    assert.match(message, /url must start with http:\/\/ or https:\/\//);
    assert.match(message, /rtsp source/);
    assert.not.match(message, SECRET);
  }
});

test('ffmpeg input arguments: read timeout, pacing by kind, no ffmpeg-side reconnect', () => {
  assert.equal(httpInputArgs({ url: 'http://cam/video.mjpg', format: 'auto', timeout: 10 }), [
    ...['-rw_timeout', '10000000', '-i', 'http://cam/video.mjpg'],
  ]);
  assert.equal(
    httpInputArgs({ url: 'https://cdn/live/index.m3u8?t=1', format: 'auto', timeout: 2.5 }),
    [...['-rw_timeout', '2500000', '-re', '-i', 'https://cdn/live/index.m3u8?t=1']],
  );
  assert.equal(
    httpInputArgs({ url: 'http://host/clip.mp4', format: 'auto', timeout: 5, realtime: false }),
    [...['-rw_timeout', '5000000', '-i', 'http://host/clip.mp4']],
  );
  assert.equal(httpInputArgs({ url: 'http://cam/stream', format: 'hls', timeout: 5 }), [
    ...['-rw_timeout', '5000000', '-re', '-f', 'hls', '-i', 'http://cam/stream'],
  ]);
  assert.equal(httpInputArgs({ url: 'http://cam/cgi?x=1', format: 'mjpeg', timeout: 5 }), [
    ...['-rw_timeout', '5000000', '-f', 'mpjpeg', '-i', 'http://cam/cgi?x=1'],
  ]);
});

test.run();
