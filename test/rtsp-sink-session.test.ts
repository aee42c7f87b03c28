// The rtsp sink's connection logic in virtual time, with fake publishers
// standing in for ffmpeg (the real one is tested against a real server in
// rtsp-sink.test.ts and rtsp-sink-outage.test.ts): exact backoff delays,
// health events and counts, what is discarded while disconnected, that every
// connection starts at a key frame, and how maxAttempts ends the run.
import { VirtualTimeScheduler } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ComponentContext } from '../src/core/component.ts';
import { schedulerClock } from '../src/core/clock.ts';
import type { AvcDecoderConfig, EncodedVideo } from '../src/core/encoded.ts';
import type { FramewireError } from '../src/core/errors.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import type { HealthEvent } from '../src/core/health.ts';
import {
  type Publisher,
  publishFailure,
  type RtspPublisherOptions,
} from '../src/sinks/rtsp-publisher.ts';
import { RtspSession } from '../src/sinks/rtsp-session.ts';

const URL = 'rtsp://admin:p@ss:w0rd@127.0.0.1:8554/annotated';
const SHOWN = 'rtsp://***@127.0.0.1:8554/annotated';

class FakePublisher implements Publisher {
  readonly connected: Promise<void>;
  readonly ended: Promise<string | undefined>;
  readonly config: AvcDecoderConfig;
  readonly written: EncodedVideo[] = [];
  isConnected = false;
  endedOnPurpose = false;
  /** A server that stopped reading: writes never complete until the connection ends. */
  stuck = false;
  #accept: () => void = () => {};
  #end: (why: string | undefined) => void = () => {};

  constructor(readonly opts: RtspPublisherOptions) {
    this.config = opts.config;
    this.connected = new Promise((resolve) => (this.#accept = resolve));
    this.ended = new Promise((resolve) => (this.#end = resolve));
  }
  /** The server accepted the stream. */
  accept(): void {
    this.isConnected = true;
    this.#accept();
  }
  /** The connection failed or was lost. */
  drop(why: string): void {
    this.#end(why);
  }
  async write(encoded: EncodedVideo): Promise<void> {
    this.written.push(encoded);
    if (this.stuck) await this.ended;
  }
  async end(): Promise<void> {
    this.endedOnPurpose = true;
    this.#end(undefined);
  }
  async kill(reason?: string): Promise<void> {
    this.#end(reason);
  }
}

function config(width = 320): AvcDecoderConfig {
  return {
    codec: 'avc1.64000d',
    description: Uint8Array.of(1, 0x64, 0, 0x0d, 0xff, 0xe1, width & 0xff),
    codedWidth: width,
    codedHeight: 240,
  };
}

let pts = 0;
function unit(key: boolean, decoderConfig = config()): EncodedVideo {
  pts += 40_000;
  return {
    packet: {
      data: Uint8Array.of(0, 0, 0, 1, key ? 0x65 : 0x41),
      key,
      pts,
      dts: pts,
      codec: 'avc1',
    },
    ...(key ? { decoderConfig } : {}),
  };
}

function harness(opts: { maxAttempts?: number } = {}) {
  const scheduler = new VirtualTimeScheduler();
  const counts: Record<string, number> = {};
  const health: (HealthEvent & { at: number })[] = [];
  const reports: FramewireError[] = [];
  const logs: string[] = [];
  const publishers: FakePublisher[] = [];
  const ctx: ComponentContext = {
    name: 'sinks[0] (rtsp)',
    clock: schedulerClock(scheduler),
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    baseDir: process.cwd(),
    pool: new FramePool(),
    stream: undefined,
    count: (code, n = 1) => {
      counts[code] = (counts[code] ?? 0) + n;
    },
    report: (err) => reports.push(err),
    health: (event) => health.push({ ...event, at: scheduler.now() }),
  };
  const session = new RtspSession(ctx, {
    url: URL,
    transport: 'tcp',
    backoff: {
      backoff: { initial: 0.5, max: 2, multiplier: 2 },
      ...(opts.maxAttempts === undefined ? {} : { maxAttempts: opts.maxAttempts }),
    },
    connectTimeoutMs: 10_000,
    closeGraceMs: 1000,
    renewAfterUs: 60_000_000,
    connect: (o) => {
      const p = new FakePublisher(o);
      publishers.push(p);
      return p;
    },
    // The upper bound of each jitter range: delays are exact.
    random: () => 1,
  });
  /** Runs the virtual clock forward by `ms`. */
  const advance = (ms: number) => {
    scheduler.maxFrames = scheduler.now() + ms;
    scheduler.flush();
    scheduler.frame = Math.max(scheduler.frame, scheduler.maxFrames);
  };
  return { scheduler, session, counts, health, reports, logs, publishers, advance };
}

/** Lets promise callbacks (connected, ended) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a connection starts only at a key frame, and the server accepting it is `connected`', async () => {
  const h = harness();
  await h.session.write(unit(false));
  assert.is(h.publishers.length, 0, 'no connection before a key frame');
  assert.is(h.counts.BEFORE_KEY_FRAME, 1);
  const key = unit(true);
  await h.session.write(key);
  assert.is(h.publishers.length, 1);
  const p = h.publishers[0]!;
  assert.is(p.opts.url, URL, 'ffmpeg gets the real URL');
  assert.is(p.written[0], key, 'the first unit of a connection is the key frame');
  p.accept();
  await settle();
  assert.equal(
    h.health.map((e) => e.state),
    ['connecting', 'connected'],
  );
  assert.ok(
    h.health.every((e) => e.detail?.includes(SHOWN) && !e.detail.includes('w0rd')),
    'health names the URL redacted',
  );
  assert.is(h.counts.RECONNECT, undefined, 'the first connection is not a reconnect');
});

test('a lost server: CONNECTION_LOST, exact growing delays, frames discarded meanwhile, resumption at a key frame', async () => {
  const h = harness();
  await h.session.write(unit(true));
  h.publishers[0]!.accept();
  await settle();
  await h.session.write(unit(false));
  h.publishers[0]!.drop('the server closed the connection');
  await settle();
  assert.is(h.counts.CONNECTION_LOST, 1);
  let last = h.health.at(-1)!;
  assert.is(last.state, 'reconnecting');
  assert.is(last.attempt, 1);
  assert.is(last.delayMs, 500, 'initial 0.5 s, full jitter at its bound');
  assert.match(last.detail!, /the server closed the connection/);

  // During the wait every frame is discarded at once (the pipeline never waits).
  await h.session.write(unit(true));
  await h.session.write(unit(false));
  assert.is(h.counts.NOT_CONNECTED, 2);
  assert.is(h.publishers.length, 1);

  h.advance(499);
  await h.session.write(unit(false));
  assert.is(h.counts.NOT_CONNECTED, 3, 'still waiting 1 ms before the delay ends');
  h.advance(1);
  await h.session.write(unit(false));
  assert.is(h.counts.BEFORE_KEY_FRAME, 1, 'after the wait, deltas until the next key frame');
  assert.is(h.publishers.length, 1);
  const key = unit(true);
  await h.session.write(key);
  assert.is(h.publishers.length, 2);
  assert.is(h.publishers[1]!.written[0], key, 'the new connection starts at a key frame');

  // The server is still away: attempt 2 waits twice as long; no connection was lost.
  h.publishers[1]!.drop('connection refused');
  await settle();
  last = h.health.at(-1)!;
  assert.equal([last.state, last.attempt, last.delayMs], ['reconnecting', 2, 1000]);
  assert.is(h.counts.CONNECTION_LOST, 1);
  h.advance(1000);
  await h.session.write(unit(true));
  h.publishers[2]!.drop('connection refused');
  await settle();
  assert.equal([h.health.at(-1)!.attempt, h.health.at(-1)!.delayMs], [3, 2000]);
  h.advance(2000);
  await h.session.write(unit(true));
  h.publishers[3]!.drop('connection refused');
  await settle();
  assert.equal([h.health.at(-1)!.attempt, h.health.at(-1)!.delayMs], [4, 2000], 'capped at max');

  // Back: connected, one RECONNECT, and the backoff starts over.
  h.advance(2000);
  await h.session.write(unit(true));
  h.publishers[4]!.accept();
  await settle();
  assert.is(h.health.at(-1)!.state, 'connected');
  assert.is(h.counts.RECONNECT, 1);
  h.publishers[4]!.drop('the server closed the connection');
  await settle();
  assert.equal([h.health.at(-1)!.attempt, h.health.at(-1)!.delayMs], [1, 500]);
  assert.is(h.counts.CONNECTION_LOST, 2);
  assert.is(h.reports.length, 0, 'nothing ends the run without maxAttempts');
});

test('the first connection is retried too (a server that starts later is waited for)', async () => {
  const h = harness();
  await h.session.write(unit(true));
  h.publishers[0]!.drop('connection refused');
  await settle();
  assert.equal(
    h.health.map((e) => [e.state, e.attempt]),
    [
      ['connecting', undefined],
      ['reconnecting', 1],
    ],
  );
  assert.is(h.counts.CONNECTION_LOST, undefined, 'a connection that never opened was not lost');
  h.advance(500);
  await h.session.write(unit(true));
  h.publishers[1]!.accept();
  await settle();
  assert.is(h.counts.RECONNECT, undefined, 'the first accepted connection is not a reconnect');
  assert.is(h.health.at(-1)!.state, 'connected');
});

test('maxAttempts failures in a row: health failed and one fatal SINK_OPEN error, credentials hidden', async () => {
  const h = harness({ maxAttempts: 2 });
  await h.session.write(unit(true));
  h.publishers[0]!.drop('connection refused');
  await settle();
  assert.is(h.reports.length, 0);
  h.advance(500);
  await h.session.write(unit(true));
  h.publishers[1]!.drop('connection refused');
  await settle();
  const last = h.health.at(-1)!;
  assert.equal([last.state, last.attempt], ['failed', 2]);
  assert.is(h.reports.length, 1);
  const err = h.reports[0]!;
  assert.is(err.code, 'SINK_OPEN');
  assert.ok(err.fatal);
  assert.match(
    err.message,
    /cannot publish to rtsp:\/\/\*\*\*@127\.0\.0\.1:8554\/annotated: connection refused \(2 attempts in a row\)/,
  );
  assert.not.match(err.message, /w0rd|admin/);
  await h.session.write(unit(true));
  assert.is(h.publishers.length, 2, 'no attempt after giving up');
});

test('a connection the server does not accept in time is dropped and counts as a failed attempt', async () => {
  const h = harness();
  await h.session.write(unit(true));
  h.advance(10_000);
  await settle();
  const last = h.health.at(-1)!;
  assert.equal([last.state, last.attempt], ['reconnecting', 1]);
  assert.match(last.detail!, /no answer within 10 s/);
});

test('a server that stops taking data: the blocked write is released and the connection dropped', async () => {
  const h = harness();
  await h.session.write(unit(true));
  h.publishers[0]!.accept();
  await settle();
  h.publishers[0]!.stuck = true;
  let released = false;
  const blocked = h.session.write(unit(false)).then(() => (released = true));
  await settle();
  h.advance(9_999);
  await settle();
  assert.not.ok(released, 'still waiting just before the timeout');
  h.advance(1);
  await blocked;
  const last = h.health.at(-1)!;
  assert.equal([last.state, last.attempt], ['reconnecting', 1]);
  assert.match(last.detail!, /the server took no data for 10 s/);
  assert.is(h.counts.CONNECTION_LOST, 1);
});

test('a new stream format is published as a new connection, not counted as a loss', async () => {
  const h = harness();
  await h.session.write(unit(true, config(320)));
  h.publishers[0]!.accept();
  await settle();
  await h.session.write(unit(true, config(320)));
  assert.is(h.publishers.length, 1, 'the same format keeps its connection');
  const bigger = unit(true, config(640));
  await h.session.write(bigger);
  assert.is(h.publishers.length, 2);
  assert.ok(h.publishers[0]!.endedOnPurpose);
  assert.is(h.publishers[1]!.written[0], bigger);
  await settle();
  assert.is(h.counts.CONNECTION_LOST, undefined);
  assert.match(h.logs.join('\n'), /changed to 640x240/);
});

test('a connection is renewed at a key frame before its 32-bit millisecond clock runs out', async () => {
  const h = harness();
  await h.session.write(unit(true));
  h.publishers[0]!.accept();
  await settle();
  pts += 60_000_000; // a minute of stream later (the limit in this harness)
  await h.session.write(unit(false));
  assert.is(h.publishers.length, 1, 'not at a delta frame');
  await h.session.write(unit(true));
  assert.is(h.publishers.length, 2);
  assert.ok(h.publishers[0]!.endedOnPurpose);
  assert.ok(h.publishers[1]!.written[0]!.packet.key);
  await settle();
  assert.is(h.counts.CONNECTION_LOST, undefined);
  assert.match(h.logs.join('\n'), /renewed before its timestamps run out/);
});

test('close ends the connection on purpose and cancels a pending wait', async () => {
  const h = harness();
  await h.session.write(unit(true));
  h.publishers[0]!.accept();
  await settle();
  await h.session.close();
  assert.ok(h.publishers[0]!.endedOnPurpose);
  await settle();
  assert.is(h.counts.CONNECTION_LOST, undefined);
  assert.is(h.health.at(-1)!.state, 'connected', 'no reconnecting after close');

  const w = harness();
  await w.session.write(unit(true));
  w.publishers[0]!.drop('connection refused');
  await settle();
  await w.session.close();
  w.advance(10_000);
  await w.session.write(unit(true));
  assert.is(w.publishers.length, 1, 'nothing starts after close');
});

// ffmpeg's stderr when publishing fails (copied from runs of the bundled
// ffmpeg), and the few words health and errors give as the reason.
const FAILURES: [string, boolean, string][] = [
  [
    '[tcp @ 0x1] Connection to tcp://127.0.0.1:18555?timeout=0 failed: Connection refused\nCould not write header for output file #0 (incorrect codec parameters ?): Connection refused',
    false,
    'connection refused',
  ],
  [
    'frame=   72 fps= 28 q=-1.0 size=N/A time=00:00:02.84\nav_interleaved_write_frame(): Broken pipe\nConversion failed!',
    true,
    'the server closed the connection',
  ],
  [
    '[rtsp @ 0x1] method ANNOUNCE failed: 401 Unauthorized\nCould not write header for output file #0 (incorrect codec parameters ?): Server returned 401 Unauthorized (authorization failed)',
    false,
    'the server refused the stream: 401 Unauthorized (authorization failed)',
  ],
  [
    '[rtsp @ 0x1] method SETUP failed: 461 Unsupported transport\nCould not write header for output file #0 (incorrect codec parameters ?): Protocol not supported',
    false,
    'the server does not accept this transport (461); try the other one',
  ],
  [
    '[tcp @ 0x1] Failed to resolve hostname nosuch.invalid: Name or service not known\nCould not write header for output file #0 (incorrect codec parameters ?): Input/output error',
    false,
    'cannot resolve the server name',
  ],
  [
    'Could not write header for output file #0 (incorrect codec parameters ?): Invalid data found when processing input',
    false,
    'ffmpeg: Invalid data found when processing input',
  ],
];

test('why a publishing ffmpeg ended, from its stderr', () => {
  for (const [stderr, connected, reason] of FAILURES) {
    assert.is(publishFailure(stderr, connected), reason, stderr);
  }
});

test.run();
