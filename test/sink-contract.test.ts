// The contract network sinks build on, on small fake sinks: open() before the
// first frame (a failing open is SINK_OPEN naming the sink, and everything is
// torn down), a read-only view of the live metrics, and frames retained past
// write() and released exactly once before their buffer returns to the pool.
import { map } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  defineSink,
  defineStage,
  type FrameRelease,
  type Sink,
  type SinkHost,
} from '../src/core/component.ts';
import { ConsumerQueue } from '../src/core/consumer-queue.ts';
import type { CountedEvent } from '../src/core/event-ledger.ts';
import { FramewireError } from '../src/core/errors.ts';
import type { Frame } from '../src/core/frame.ts';
import type { MeterSnapshot } from '../src/core/meter.ts';
import { fakeSource, runPipeline } from './helpers/fake-pipeline.ts';
import { withTestComponents } from './helpers/registries.ts';

/** Everything that happened, in order, across the fake components of one run. */
let log: string[] = [];
const tick = (ms = 0) => new Promise<void>((r) => setTimeout(r, ms));

/** A sink built from a few hooks; every call is logged as `<type>:<what>`. */
function fakeSink(
  type: string,
  hooks: {
    open?: (host: SinkHost) => Promise<void>;
    write?: (frame: Frame) => Promise<void>;
    close?: () => Promise<void>;
  },
) {
  return defineSink({
    type,
    doc: 'test: a sink with hooks',
    lossless: true,
    options: {},
    create: (): Sink => ({
      async open(host) {
        log.push(`${type}:open`);
        await hooks.open?.(host);
        log.push(`${type}:opened`);
      },
      async write(frame) {
        log.push(`${type}:write ${frame.seq}`);
        await hooks.write?.(frame);
      },
      async close() {
        await hooks.close?.();
        log.push(`${type}:close`);
      },
    }),
  });
}

/** A sink that sends asynchronously: write() retains the frame and resolves at once. */
function sendingSink(type: string, opts: { delayMs: number; releaseTwice?: boolean }) {
  let host: SinkHost | undefined;
  const sending = new Set<Promise<void>>();
  const corrupted: number[] = [];
  const def = defineSink({
    type,
    doc: 'test: retains frames and sends them later',
    lossless: true,
    options: {},
    create: (): Sink => ({
      open(h) {
        host = h;
      },
      write(frame) {
        const release: FrameRelease = host!.retain(frame);
        const sent = tick(opts.delayMs).then(() => {
          // Still this frame's pixels: the buffer was not handed to another frame meanwhile.
          if (!frame.data.every((b) => b === (frame.seq & 0xff))) corrupted.push(frame.seq);
          release();
          if (opts.releaseTwice) release();
          sending.delete(sent);
        });
        sending.add(sent);
      },
      async close() {
        await Promise.all(sending);
      },
    }),
  });
  return { def, corrupted };
}

/** One client of a many-client sink: its own queue of retained frames and a sender loop. */
interface Client {
  readonly queue: ConsumerQueue<{ frame: Frame; release: FrameRelease }>;
  readonly delayMs: number;
  sent: number;
  corrupted: number;
  closedReleased: number;
  loop?: Promise<void>;
}

/** A sink serving two clients, one fast and one far slower than the pipeline. */
function fanOutSink(type: string) {
  const clients: Client[] = [];
  const client = (delayMs: number): Client => {
    const c: Client = {
      delayMs,
      sent: 0,
      corrupted: 0,
      closedReleased: 0,
      queue: new ConsumerQueue({
        capacity: 2,
        release: (item) => {
          if (c.queue.closed) c.closedReleased++;
          item.release();
        },
      }),
    };
    return c;
  };
  const def = defineSink({
    type,
    doc: 'test: many clients, one queue each',
    lossless: false,
    options: {},
    create: (): Sink => {
      let host: SinkHost | undefined;
      return {
        open(h) {
          host = h;
          clients.length = 0;
          clients.push(client(0), client(15));
          for (const c of clients) {
            c.loop = (async () => {
              for (let item = await c.queue.next(); item; item = await c.queue.next()) {
                if (c.delayMs > 0) await tick(c.delayMs);
                if (!item.frame.data.every((b) => b === (item.frame.seq & 0xff))) c.corrupted++;
                c.sent++;
                item.release();
              }
            })();
          }
        },
        write(frame) {
          for (const c of clients) c.queue.offer({ frame, release: host!.retain(frame) });
        },
        async close() {
          for (const c of clients) c.queue.close();
          await Promise.all(clients.map((c) => c.loop));
        },
      };
    },
  });
  return { def, clients };
}

const fanOut = fanOutSink('fan-out');

let watcherView: SinkHost['metrics'] | undefined;
let lateHost: SinkHost | undefined;
let metricsAtWrite5: MeterSnapshot[] | undefined;
const seen: CountedEvent[] = [];
const sending = sendingSink('sending', { delayMs: 15 });
const twice = sendingSink('twice', { delayMs: 1, releaseTwice: true });

const registries = withTestComponents({
  sources: [fakeSource('fake', (seq) => log.push(`source:emit ${seq}`))],
  stages: [
    defineStage({
      type: 'corrupt-2',
      doc: 'test: reports frame 2 as corrupt',
      options: {},
      create: (_c, ctx) =>
        map((frame: Frame) => {
          if (frame.seq === 2) {
            ctx.report(new FramewireError('FRAME_CORRUPT', 'bad slice', { fatal: false }));
          }
          return frame;
        }),
    }),
  ],
  sinks: [
    fakeSink('slow-open', { open: () => tick(20) }),
    fakeSink('watcher', {
      async open(host) {
        host.metrics.onEvent((e) => seen.push(e));
        watcherView = host.metrics;
      },
      async write(frame) {
        if (frame.seq === 5) metricsAtWrite5 = [...watcherView!.snapshot()];
      },
    }),
    fakeSink('open-throws', {
      open: async () => {
        throw new Error('address already in use');
      },
    }),
    fakeSink('open-coded', {
      open: async () => {
        throw new FramewireError('SINK_OPEN', 'port 80 needs privileges', {
          hint: 'use a port above 1024',
        });
      },
    }),
    sending.def,
    twice.def,
    fanOut.def,
    fakeSink('late-retain', {
      async open(host) {
        lateHost = host;
      },
      async write(frame) {
        // Retaining after write() resolved: the frame may already be another's.
        if (frame.seq === 3) setTimeout(() => lateHost!.retain(frame), 25);
        await tick(10);
      },
    }),
  ],
});

const pipeline = (sinks: string[], stages: string[] = [], frames = 10) => `
maxInFlight: 2
source: { type: fake, frames: ${frames} }
stages: [${stages.map((s) => `{ type: ${s} }`).join(', ')}]
sinks: [${sinks.map((s) => `{ type: ${s} }`).join(', ')}]
`;

test('open() is awaited before the source emits its first frame', async () => {
  log = [];
  const r = await runPipeline(pipeline(['slow-open'], [], 2), registries);
  assert.is(r.error, undefined);
  assert.equal(log, [
    'slow-open:open',
    'slow-open:opened',
    'source:emit 0',
    'slow-open:write 0',
    'source:emit 1',
    'slow-open:write 1',
    'slow-open:close',
  ]);
});

const openFailures: {
  name: string;
  sinks: string[];
  message: string;
  hint: string | undefined;
  component: string;
}[] = [
  // A plain error from open: SINK_OPEN with the error's message.
  {
    name: 'open throws a plain Error',
    sinks: ['open-throws'],
    message: 'cannot open: address already in use',
    hint: undefined,
    component: 'sinks[0] (open-throws)',
  },
  // A sink's own SINK_OPEN keeps its message and hint; the sink opened before it is closed too.
  {
    name: 'the second sink fails with its own SINK_OPEN',
    sinks: ['slow-open', 'open-coded'],
    message: 'port 80 needs privileges',
    hint: 'use a port above 1024',
    component: 'sinks[1] (open-coded)',
  },
];

for (const c of openFailures) {
  test(`a failing open is SINK_OPEN naming the sink, and tears down: ${c.name}`, async () => {
    log = [];
    const r = await runPipeline(pipeline(c.sinks), registries);
    const err = r.error as FramewireError;
    assert.instance(err, FramewireError);
    assert.is(err.code, 'SINK_OPEN');
    assert.is(err.fatal, true);
    assert.is(err.component, c.component);
    assert.is(err.message, c.message);
    assert.is(err.hint, c.hint);
    assert.not.ok(
      log.some((l) => l.startsWith('source:emit')),
      'the source never started',
    );
    for (const s of c.sinks) assert.is(log.filter((l) => l === `${s}:close`).length, 1, s);
    assert.is(r.pool.outstanding, 0);
  });
}

test('a sink sees the live metrics read-only and every counted event as it happens', async () => {
  log = [];
  seen.length = 0;
  metricsAtWrite5 = undefined;
  const r = await runPipeline(pipeline(['watcher'], ['corrupt-2']), registries);
  assert.is(r.error, undefined);
  const at5 = metricsAtWrite5!;
  assert.equal(
    at5.map((m) => m.name),
    ['source:fake', 'corrupt-2', 'sink:watcher'],
  );
  // Frames 0–4 written (a frame counts as out once its write resolves), 5 in progress.
  const sink = at5.find((m) => m.name === 'sink:watcher')!;
  assert.is(sink.framesOut, 5);
  assert.equal(at5.find((m) => m.name === 'corrupt-2')!.events, { FRAME_CORRUPT: 1 });
  // What a sink gets is a copy: changing it changes nothing in the run.
  sink.framesOut = 999;
  assert.is(r.result!.meters.find((m) => m.name === 'sink:watcher')!.framesOut, 10);
  assert.equal(
    seen.map((e) => [e.component, e.code, e.n, e.message]),
    [['corrupt-2', 'FRAME_CORRUPT', 1, 'bad slice']],
  );
});

test('a retained frame keeps its buffer until released; then every buffer is back', async () => {
  log = [];
  sending.corrupted.length = 0;
  // Beside a plain sink, so each frame has two holders plus the retain.
  const r = await runPipeline(pipeline(['sending', 'slow-open'], [], 20), registries);
  assert.is(r.error, undefined);
  assert.equal(sending.corrupted, [], 'no buffer reused while retained');
  assert.is(r.result!.meters.find((m) => m.name === 'sink:sending')!.framesOut, 20);
  assert.is(r.pool.outstanding, 0, 'released exactly once each');
});

test('a double release is ignored and counted as DOUBLE_RELEASE on the sink', async () => {
  const r = await runPipeline(pipeline(['twice']), registries);
  assert.is(r.error, undefined);
  const m = r.result!.meters.find((x) => x.name === 'sink:twice')!;
  assert.equal(m.events, { DOUBLE_RELEASE: 10 });
  assert.equal(twice.corrupted, []);
  // Returned twice, the pool would count −10 outstanding and hand buffers out twice.
  assert.is(r.pool.outstanding, 0);
});

test('retaining a frame after it was let go ends the run with SINK_WRITE naming the sink', async () => {
  const r = await runPipeline(pipeline(['late-retain']), registries);
  const err = r.error as FramewireError;
  assert.instance(err, FramewireError);
  assert.is(err.code, 'SINK_WRITE');
  assert.is(err.component, 'sinks[0] (late-retain)');
  assert.match(err.message, /retained frame 3 after it was let go/);
});

test('per-client queues: a slow client drops and counts, the fast one keeps up, nothing leaks', async () => {
  const r = await runPipeline(pipeline(['fan-out'], [], 30), registries);
  assert.is(r.error, undefined);
  const [fast, slow] = fanOut.clients;
  // Every frame offered to a client is sent, dropped by its queue, or released at close.
  for (const c of [fast!, slow!]) {
    assert.is(c.sent + c.queue.dropped + c.closedReleased, 30);
    assert.is(c.corrupted, 0, 'no buffer reused while a client held it');
  }
  assert.ok(slow!.queue.dropped > 0, `slow client dropped ${slow!.queue.dropped}`);
  // The fast client takes each frame as it is offered (its sender is always waiting).
  assert.is(fast!.sent, 30);
  assert.is(fast!.queue.dropped, 0);
  assert.is(r.pool.outstanding, 0, 'every dropped or sent frame was released');
});

test.run();
