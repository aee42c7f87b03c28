// The reconnecting mechanism that rtsp, http and camera sources share, in
// virtual time: exact backoff delays within the jitter bounds, the stall
// watchdog, monotonic seq and pts across reconnects, health events and counts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Backoff, type BackoffConfig } from '../src/core/backoff.ts';
import type { Source, SourceObserver, StreamInfo } from '../src/core/component.ts';
import { FramewireError } from '../src/core/errors.ts';
import type { EventCode } from '../src/core/events.ts';
import type { Frame } from '../src/core/frame.ts';
import type { HealthEvent } from '../src/core/health.ts';
import {
  ReconnectingSource,
  type ReconnectingSourceOptions,
} from '../src/core/reconnecting-source.ts';
import { ManualScheduler, manualClock } from './helpers/manual-scheduler.ts';

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable('expected a rejection');
}

const INFO: StreamInfo = { width: 4, height: 2, format: 'yuv420p', fps: 25, frames: undefined };

/** One connection attempt the test drives by hand. */
class FakeConnection implements Source {
  readonly live = false;
  observer: SourceObserver | undefined;
  demand = 0;
  stopped = false;
  closed = false;
  #open: { resolve: (i: StreamInfo) => void; reject: (e: Error) => void } | undefined;

  constructor(readonly attempt: number) {}

  open(): Promise<StreamInfo> {
    return new Promise((resolve, reject) => {
      this.#open = { resolve, reject };
    });
  }
  accept(info = INFO): void {
    this.#open!.resolve(info);
  }
  refuse(message: string): void {
    this.#open!.reject(new FramewireError('SOURCE_OPEN', message));
  }
  start(observer: SourceObserver): void {
    this.observer = observer;
  }
  request(n: number): void {
    this.demand += n;
  }
  emit(pts: number, size = { width: 4, height: 2 }): void {
    this.demand--;
    this.observer!.next({
      seq: 1000 + pts,
      pts,
      time: 0,
      ...size,
      format: 'yuv420p',
      data: new Uint8Array(0),
      sourceId: 'fake',
      meta: { timings: {} },
    });
  }
  lose(): void {
    this.observer!.complete();
  }
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    queueMicrotask(() => this.observer?.complete());
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  dropped(): number {
    return 0;
  }
}

const BACKOFF: BackoffConfig = { backoff: { initial: 0.5, max: 4, multiplier: 2 } };

function harness(overrides: Partial<ReconnectingSourceOptions> = {}) {
  const scheduler = new ManualScheduler();
  const connections: FakeConnection[] = [];
  const connectedAt: number[] = [];
  const health: (HealthEvent & { at: number })[] = [];
  const counts: Partial<Record<EventCode, number>> = {};
  const frames: Frame[] = [];
  let ended: 'complete' | Error | undefined;
  const source = new ReconnectingSource({
    connect: (attempt) => {
      const c = new FakeConnection(attempt);
      connections.push(c);
      connectedAt.push(scheduler.now());
      return c;
    },
    backoff: BACKOFF,
    stallSeconds: 2,
    retryFirstOpen: true,
    describe: 'rtsp://cam/stream',
    clock: manualClock(scheduler),
    health: (e) => health.push({ ...e, at: scheduler.now() }),
    count: (code, n = 1) => {
      counts[code] = (counts[code] ?? 0) + n;
    },
    random: () => 0.5,
    ...overrides,
  });
  const observer: SourceObserver = {
    next: (f) => frames.push(f),
    error: (e) => {
      ended = e;
    },
    complete: () => {
      ended = 'complete';
    },
  };
  return {
    scheduler,
    source,
    connections,
    connectedAt,
    health,
    counts,
    frames,
    observer,
    ended: () => ended,
    last: () => connections[connections.length - 1]!,
    states: () => health.map((h) => h.state),
  };
}

test('Backoff: full jitter within [0, min(max, initial·multiplierⁿ⁻¹)], reset after a success', () => {
  const draws = [0, 0.999, 0.5, 0.25, 0.5, 0.5];
  const b = new Backoff(
    { backoff: { initial: 0.5, max: 3, multiplier: 2 }, maxAttempts: 6 },
    () => draws.shift()!,
  );
  // Bounds 500, 1000, 2000, 3000 (capped), 3000 ms; delays are draw × bound.
  assert.equal(b.next(), { attempt: 1, delayMs: 0 });
  assert.equal(b.next(), { attempt: 2, delayMs: 999 });
  assert.equal(b.next(), { attempt: 3, delayMs: 1000 });
  assert.equal(b.next(), { attempt: 4, delayMs: 750 });
  assert.equal(b.next(), { attempt: 5, delayMs: 1500 });
  assert.is(b.exhausted, false);
  b.next();
  assert.is(b.exhausted, true);
  b.reset();
  assert.is(b.attempt, 0);
  assert.is(b.boundMs(1), 500);
});

test('a camera that is down at start is retried with growing delays until it answers', async () => {
  const h = harness();
  const opened = h.source.open();
  // Bounds 500, 1000, 2000, 4000, 4000 ms at random 0.5: waits of 250, 500, 1000, 2000, 2000.
  const waits = [250, 500, 1000, 2000, 2000];
  let t = 0;
  for (const wait of waits) {
    await h.scheduler.advanceTo(t);
    h.last().refuse('connection refused');
    await h.scheduler.advanceTo(t);
    t += wait;
  }
  await h.scheduler.advanceTo(t);
  assert.is(h.connections.length, 6);
  assert.equal(h.connectedAt, [0, 250, 750, 1750, 3750, 5750]);
  h.last().accept();
  assert.equal(await opened, INFO);
  const retries = h.health.filter((e) => e.state === 'reconnecting');
  assert.equal(
    retries.map((e) => [e.attempt, e.delayMs, e.detail]),
    waits.map((w, i) => [i + 1, w, 'connection refused']),
  );
  assert.is(h.health.at(-1)!.state, 'connected');
});

test('a lost connection is reconnected: seq gapless, pts continues after the real gap, discontinuity marked', async () => {
  const h = harness();
  const opened = h.source.open();
  h.last().accept();
  await opened;
  h.source.start(h.observer);
  h.source.request(Number.POSITIVE_INFINITY);
  const first = h.last();
  for (const pts of [0, 40_000, 80_000]) {
    first.emit(pts);
    await h.scheduler.advanceBy(40);
  }
  // Lost at t=120 ms, 40 ms after the last frame (which came at t=80).
  first.lose();
  await h.scheduler.advanceBy(0);
  assert.ok(first.closed, 'the lost connection is closed');
  assert.equal(h.counts, { CONNECTION_LOST: 1 });
  assert.equal(h.states().slice(-1), ['reconnecting']);
  assert.is(h.health.at(-1)!.delayMs, 250);
  await h.scheduler.advanceBy(250); // t = 370: the second connection is made
  assert.is(h.connections.length, 2);
  h.last().accept({ ...INFO, width: 8, height: 6 });
  await h.scheduler.advanceBy(0);
  assert.equal(h.counts, { CONNECTION_LOST: 1, RECONNECT: 1 });
  assert.is(h.last().demand, Number.POSITIVE_INFINITY, 'the new connection gets the demand');
  await h.scheduler.advanceBy(30); // t = 400: the new stream starts again at its own pts 5000
  h.last().emit(5000, { width: 8, height: 6 });
  await h.scheduler.advanceBy(40);
  h.last().emit(45_000, { width: 8, height: 6 });

  assert.equal(
    h.frames.map((f) => f.seq),
    [0, 1, 2, 3, 4],
  );
  // The last frame before the gap came at t=80 with pts 80 000; the first after at
  // t=400: 320 ms later, so pts 80 000 + 320 000 (then the stream's own 40 ms steps).
  assert.equal(
    h.frames.map((f) => f.pts),
    [0, 40_000, 80_000, 400_000, 440_000],
  );
  assert.equal(
    h.frames.map((f) => f.meta.discontinuity ?? false),
    [false, false, false, true, false],
  );
  assert.equal(
    h.frames.map((f) => f.meta.capturedAt),
    [0, 40, 80, 400, 440],
  );
  assert.is(h.frames[3]!.width, 8);
  assert.is(h.ended(), undefined, 'a lost connection never ends the stream');
});

test('packets are shifted with their frames', async () => {
  const h = harness();
  const opened = h.source.open();
  h.last().accept();
  await opened;
  h.source.start(h.observer);
  h.source.request(10);
  const packetFrame = (c: FakeConnection, pts: number) => {
    c.demand--;
    c.observer!.next({
      seq: 0,
      pts,
      time: 0,
      width: 0,
      height: 0,
      format: 'yuv420p',
      data: new Uint8Array(0),
      sourceId: 'fake',
      meta: {
        timings: {},
        packet: { data: new Uint8Array(1), key: true, pts, dts: pts - 1000, codec: 'avc1.42001e' },
      },
    });
  };
  packetFrame(h.last(), 10_000);
  h.last().lose();
  await h.scheduler.advanceBy(250);
  h.last().accept();
  await h.scheduler.advanceBy(750); // the new stream's first packet arrives 1 s after the last
  packetFrame(h.last(), 0);
  const after = h.frames[1]!;
  assert.is(after.pts, 1_010_000);
  assert.equal([after.meta.packet!.pts, after.meta.packet!.dts], [1_010_000, 1_009_000]);
  assert.is(after.meta.discontinuity, true);
});

test('after B-frames, the next connection continues from the largest pts, not the last packet', async () => {
  const h = harness();
  const opened = h.source.open();
  h.last().accept();
  await opened;
  h.source.start(h.observer);
  h.source.request(Number.POSITIVE_INFINITY);
  // Decode order I P B: pts 0, 80 000, 40 000; the last packet is not the latest picture.
  for (const pts of [0, 80_000, 40_000]) h.last().emit(pts);
  h.last().lose();
  await h.scheduler.advanceBy(250);
  h.last().accept();
  await h.scheduler.advanceBy(0);
  h.last().emit(0);
  // 250 ms after the last frame: 80 000 + 250 000.
  assert.is(h.frames.at(-1)!.pts, 330_000);
});

test('the stall watchdog reconnects a connection that stopped delivering', async () => {
  const h = harness();
  const opened = h.source.open();
  h.last().accept();
  await opened;
  await h.scheduler.advanceTo(5000); // stages loading: no frame is due before start
  assert.is(h.states().includes('stalled'), false);
  h.source.start(h.observer);
  h.source.request(Number.POSITIVE_INFINITY);
  h.last().emit(0);
  await h.scheduler.advanceTo(6500);
  h.last().emit(40_000); // t = 6500: the watchdog restarts from here
  await h.scheduler.advanceTo(8499);
  assert.is(h.states().includes('stalled'), false);
  const stalledConnection = h.last();
  await h.scheduler.advanceTo(8500);
  const stalled = h.health.find((e) => e.state === 'stalled')!;
  assert.equal([stalled.at, stalled.detail], [8500, 'no frame for 2 s']);
  assert.ok(stalledConnection.stopped && stalledConnection.closed);
  assert.equal(h.states().slice(-1), ['reconnecting']);
  assert.equal(h.counts, { CONNECTION_LOST: 1 });
  // A late frame of the dropped connection is not passed on.
  stalledConnection.observer!.next({ ...h.frames[0]!, seq: 99 });
  assert.is(h.frames.length, 2);
  await h.scheduler.advanceTo(8750);
  assert.is(h.connections.length, 2);
});

test('maxAttempts failures in a row: failed, and the stream ends with a clear error', async () => {
  const h = harness({ backoff: { ...BACKOFF, maxAttempts: 2 } });
  const opened = h.source.open();
  h.last().accept();
  await opened;
  h.source.start(h.observer);
  h.source.request(5);
  h.last().emit(0);
  h.last().lose();
  await h.scheduler.advanceBy(250);
  h.last().refuse('401 Unauthorized');
  await h.scheduler.advanceBy(500);
  h.last().refuse('401 Unauthorized');
  await h.scheduler.advanceBy(0);
  const ended = h.ended();
  assert.instance(ended, FramewireError);
  assert.match(
    (ended as Error).message,
    'rtsp://cam/stream: gave up after 2 failed attempts: 401 Unauthorized',
  );
  assert.equal(h.health.at(-1), {
    state: 'failed',
    attempt: 2,
    detail: '401 Unauthorized',
    at: 750,
  });
  assert.is(h.scheduler.pending, 0, 'no timer is left running');
});

test('maxAttempts at start: exactly that many connection attempts, then failed', async () => {
  const h = harness({ backoff: { ...BACKOFF, maxAttempts: 2 } });
  const opened = h.source.open();
  h.last().refuse('connection refused');
  await h.scheduler.advanceBy(250);
  h.last().refuse('connection refused');
  await rejectsWith(opened, /gave up after 2 failed attempts: connection refused/);
  assert.is(h.connections.length, 2);
  assert.equal(h.states(), ['connecting', 'reconnecting', 'connecting', 'failed']);
  assert.is(h.health.at(-1)!.attempt, 2);
});

test('delivered frames reset the backoff: the next outage starts again at initial', async () => {
  const h = harness();
  const opened = h.source.open();
  h.last().accept();
  await opened;
  h.source.start(h.observer);
  h.source.request(Number.POSITIVE_INFINITY);
  h.last().lose();
  await h.scheduler.advanceBy(250);
  h.last().refuse('refused');
  await h.scheduler.advanceBy(500);
  h.last().accept();
  await h.scheduler.advanceBy(0);
  h.last().emit(0);
  h.last().lose();
  await h.scheduler.advanceBy(0);
  const retries = h.health.filter((e) => e.state === 'reconnecting');
  assert.equal(
    retries.map((e) => [e.attempt, e.delayMs]),
    [
      [1, 250],
      [2, 500],
      [1, 250],
    ],
  );
});

test('a camera that fails at start is an error at once when retryFirstOpen is off', async () => {
  const h = harness({ retryFirstOpen: false });
  const opened = h.source.open();
  h.last().refuse('cannot open /dev/video9: No such file or directory');
  await rejectsWith(opened, /\/dev\/video9: No such file/);
  assert.is(h.connections.length, 1);
  assert.ok(h.last().closed);
});

test('stop() while waiting to retry the first connection rejects open() at once', async () => {
  const h = harness();
  const opened = h.source.open();
  h.last().refuse('connection refused');
  await h.scheduler.advanceBy(100);
  h.source.stop();
  await rejectsWith(opened, /stopped before rtsp:\/\/cam\/stream connected/);
  await h.scheduler.advanceBy(10_000);
  assert.is(h.connections.length, 1, 'no attempt after stop');
  assert.is(h.scheduler.pending, 0);
});

test('stop() while a connection is still opening rejects open() and closes it', async () => {
  const h = harness();
  const opened = h.source.open();
  h.source.stop();
  await rejectsWith(opened, /stopped before/);
  assert.ok(h.last().closed);
});

test('stop() between connections completes the stream; stop() while connected ends it through the connection', async () => {
  const a = harness();
  const openedA = a.source.open();
  a.last().accept();
  await openedA;
  a.source.start(a.observer);
  a.last().lose();
  await a.scheduler.advanceBy(100);
  a.source.stop();
  assert.is(a.ended(), 'complete');
  await a.scheduler.advanceBy(10_000);
  assert.is(a.connections.length, 1);

  const b = harness();
  const openedB = b.source.open();
  b.last().accept();
  await openedB;
  b.source.start(b.observer);
  b.source.stop();
  await b.scheduler.advanceBy(0);
  assert.is(b.ended(), 'complete');
  assert.is(b.counts.CONNECTION_LOST, undefined, 'a stop is not a lost connection');
  await b.source.close();
  assert.ok(b.last().closed);
});

test.run();
