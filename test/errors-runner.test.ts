// The error model through the runner, on small fake components: a fatal error
// from any component ends the run with that error, naming the component, after
// tearing everything down; a recoverable one becomes a counted event with its
// code on that component's meter, and the run completes with all other frames.
import { map } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type ComponentContext,
  defineSink,
  defineStage,
  type Sink,
} from '../src/core/component.ts';
import { FramewireError } from '../src/core/errors.ts';
import type { Frame } from '../src/core/frame.ts';
import type { Logger } from '../src/core/log.ts';
import type { MeterSnapshot } from '../src/core/meter.ts';
import { fakeSource, runPipeline } from './helpers/fake-pipeline.ts';
import { withTestComponents } from './helpers/registries.ts';

/** What every recording sink saw, by sink type. */
const written = new Map<string, number[]>();
const closed = new Map<string, number>();

/** A lossless sink that records seqs; `fail(seq)` may throw instead of writing. */
function recordingSink(type: string, fail?: (seq: number) => unknown) {
  return defineSink({
    type,
    doc: 'test: records what it writes',
    lossless: true,
    options: {},
    create: (): Sink => ({
      async write(frame: Frame) {
        await new Promise((r) => setImmediate(r));
        const err = fail?.(frame.seq);
        if (err) throw err;
        written.set(type, [...(written.get(type) ?? []), frame.seq]);
      },
      async close() {
        closed.set(type, (closed.get(type) ?? 0) + 1);
      },
    }),
  });
}

/** A stage that calls `onFrame(seq, ctx)` on every frame and passes it on. */
function reportingStage(type: string, onFrame: (seq: number, ctx: ComponentContext) => void) {
  return defineStage({
    type,
    doc: 'test: reports on some frames',
    options: {},
    create: (_config, ctx) =>
      map((frame: Frame) => {
        onFrame(frame.seq, ctx);
        return frame;
      }),
  });
}

const corrupt = () => new FramewireError('FRAME_CORRUPT', 'picture lost', { fatal: false });

const registries = withTestComponents({
  sources: [
    fakeSource('fake'),
    fakeSource('fake-fatal', (seq, ctx) => {
      if (seq === 4) {
        ctx.report(new FramewireError('CONNECTION_LOST', 'camera gone for good', { fatal: true }));
      }
    }),
    fakeSource('fake-reconnecting', (seq, ctx) => {
      if (seq === 4) {
        ctx.report(new FramewireError('CONNECTION_LOST', 'socket closed'));
        ctx.count('RECONNECT');
      }
    }),
  ],
  stages: [
    reportingStage('report-fatal', (seq, ctx) => {
      if (seq === 3) ctx.report(new FramewireError('STAGE_FAILED', 'model crashed'));
    }),
    defineStage({
      type: 'report-at-create',
      doc: 'test: reports a fatal error before the run starts',
      options: {},
      create: (_config, ctx) => {
        ctx.report(new FramewireError('MODEL_MISSING', 'weights gone'));
        return map((frame: Frame) => frame);
      },
    }),
    reportingStage('throw-fatal', (seq) => {
      if (seq === 3) throw new FramewireError('STAGE_FAILED', 'bad tensor');
    }),
    reportingStage('throw-recoverable', (seq) => {
      // Escaping the operator breaks the stream: fatal whatever the flag says.
      if (seq === 3) throw corrupt();
    }),
    reportingStage('corrupt-2-5', (seq, ctx) => {
      if (seq === 2 || seq === 5) ctx.report(corrupt());
    }),
  ],
  sinks: [
    defineSink({
      type: 'close-fails',
      doc: 'test: finalizing fails',
      lossless: true,
      options: {},
      create: (): Sink => ({
        write() {},
        async close() {
          throw new FramewireError('SINK_WRITE', 'could not finalize the file');
        },
      }),
    }),
    recordingSink('rec'),
    recordingSink('rec2'),
    recordingSink('write-fatal', (seq) =>
      seq === 3 ? new FramewireError('SINK_WRITE', 'disk full') : undefined,
    ),
    recordingSink('write-plain', (seq) => (seq === 3 ? new Error('EPIPE') : undefined)),
    recordingSink('write-recoverable', (seq) =>
      seq === 3 || seq === 6
        ? new FramewireError('SINK_WRITE', 'client send failed', { fatal: false })
        : undefined,
    ),
    recordingSink('write-connection', (seq) =>
      seq === 0 ? new FramewireError('CONNECTION_LOST', 'peer reset') : undefined,
    ),
  ],
});

const pipeline = (source: string, stages: string[], sinks: string[]) => `
maxInFlight: 2
source: { type: ${source}, frames: 10 }
stages: [${stages.map((s) => `{ type: ${s} }`).join(', ')}]
sinks: [${sinks.map((s) => `{ type: ${s} }`).join(', ')}]
`;

function reset(): void {
  written.clear();
  closed.clear();
}

const ALL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

const fatalCases: {
  name: string;
  source?: string;
  stages?: string[];
  sinks: string[];
  code: string;
  component: string;
  message: string;
}[] = [
  // ctx.report of a fatal error from inside an operator.
  {
    name: 'a stage reports a fatal error',
    stages: ['report-fatal'],
    sinks: ['rec'],
    code: 'STAGE_FAILED',
    component: 'stages[0] (report-fatal)',
    message: 'model crashed',
  },
  // Reported while the pipeline is assembled, before the run: it ends as soon as it starts.
  {
    name: 'a stage reports a fatal error before the run',
    stages: ['report-at-create'],
    sinks: ['rec'],
    code: 'MODEL_MISSING',
    component: 'stages[0] (report-at-create)',
    message: 'weights gone',
  },
  // The runner names the stage the error escaped from.
  {
    name: 'a stage operator throws',
    stages: ['throw-fatal'],
    sinks: ['rec'],
    code: 'STAGE_FAILED',
    component: 'stages[0] (throw-fatal)',
    message: 'bad tensor',
  },
  // A recoverable error cannot be recovered from once it broke the stream.
  {
    name: 'a stage operator throws a recoverable error',
    stages: ['throw-recoverable'],
    sinks: ['rec'],
    code: 'FRAME_CORRUPT',
    component: 'stages[0] (throw-recoverable)',
    message: 'picture lost',
  },
  // A live source giving up (its reconnects exhausted) reports from its own callbacks.
  {
    name: 'a source reports a fatal error',
    source: 'fake-fatal',
    sinks: ['rec'],
    code: 'CONNECTION_LOST',
    component: 'source (fake-fatal)',
    message: 'camera gone for good',
  },
  // SINK_WRITE is fatal unless raised otherwise; the other sink is still finalized.
  {
    name: 'a sink write throws a fatal error',
    sinks: ['rec', 'write-fatal'],
    code: 'SINK_WRITE',
    component: 'sinks[1] (write-fatal)',
    message: 'disk full',
  },
  // A plain error from a sink is wrapped as SINK_WRITE naming it.
  {
    name: 'a sink write throws a plain Error',
    sinks: ['write-plain'],
    code: 'SINK_WRITE',
    component: 'sinks[0] (write-plain)',
    message: 'write failed: EPIPE',
  },
];

for (const c of fatalCases) {
  test(`fatal: ${c.name} → the run ends with it, naming ${c.component}`, async () => {
    reset();
    const r = await runPipeline(pipeline(c.source ?? 'fake', c.stages ?? [], c.sinks), registries);
    assert.ok(r.error instanceof FramewireError, `rejected with ${String(r.error)}`);
    const err = r.error as FramewireError;
    assert.is(err.code, c.code);
    assert.is(err.fatal, true);
    assert.is(err.component, c.component);
    assert.is(err.message, c.message);
    for (const sink of c.sinks) assert.is(closed.get(sink), 1, `${sink} closed once`);
    // It ended early: the failing frame and what follows were never written.
    assert.ok((written.get('rec')?.length ?? 0) < 10, 'ended before the last frame');
  });
}

test('fatal: a sink whose close fails ends the run with its error, naming the sink', async () => {
  reset();
  const r = await runPipeline(pipeline('fake', [], ['rec', 'close-fails']), registries);
  const err = r.error as FramewireError;
  assert.instance(err, FramewireError);
  assert.is(err.component, 'sinks[1] (close-fails)');
  assert.is(err.message, 'could not finalize the file');
  assert.equal(written.get('rec'), ALL, 'the other sink got everything');
});

function meter(meters: readonly MeterSnapshot[], name: string): MeterSnapshot {
  const m = meters.find((x) => x.name === name);
  if (!m) throw new Error(`no meter ${name} in ${meters.map((x) => x.name).join(', ')}`);
  return m;
}

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { info: () => {}, warn: (m) => warnings.push(m), warnings };
}

test('recoverable: a stage reports two corrupt frames → FRAME_CORRUPT: 2 on its meter, all frames written', async () => {
  reset();
  const log = recordingLog();
  const r = await runPipeline(pipeline('fake', ['corrupt-2-5'], ['rec']), registries, log);
  assert.is(r.error, undefined);
  assert.is(r.result?.reason, 'end');
  assert.equal(meter(r.result!.meters, 'corrupt-2-5').events, { FRAME_CORRUPT: 2 });
  assert.equal(meter(r.result!.meters, 'sink:rec').events, {});
  assert.equal(written.get('rec'), ALL);
  // The first of a code is logged once, naming the component; the second only counted.
  assert.equal(log.warnings, [
    'stages[0] (corrupt-2-5): picture lost (counted as FRAME_CORRUPT; later ones only counted)',
  ]);
});

test('recoverable: a source loses its connection and reconnects → both counted on the source', async () => {
  reset();
  const r = await runPipeline(pipeline('fake-reconnecting', [], ['rec']), registries);
  assert.is(r.error, undefined);
  assert.equal(meter(r.result!.meters, 'source:fake-reconnecting').events, {
    CONNECTION_LOST: 1,
    RECONNECT: 1,
  });
  assert.equal(written.get('rec'), ALL);
});

test('recoverable: a sink write fails twice → SINK_WRITE: 2 and two drops for that sink only', async () => {
  reset();
  const r = await runPipeline(pipeline('fake', [], ['write-recoverable', 'rec']), registries);
  assert.is(r.error, undefined);
  const flaky = meter(r.result!.meters, 'sink:write-recoverable');
  assert.equal(flaky.events, { SINK_WRITE: 2 });
  assert.is(flaky.framesIn, 10);
  assert.is(flaky.framesOut, 8);
  assert.is(flaky.dropped, 2);
  assert.equal(written.get('write-recoverable'), [0, 1, 2, 4, 5, 7, 8, 9]);
  // The sink beside it gets every frame, and nothing leaks.
  assert.equal(written.get('rec'), ALL);
  assert.is(meter(r.result!.meters, 'sink:rec').dropped, 0);
  assert.is(r.pool.outstanding, 0);
});

test('recoverable: CONNECTION_LOST from a sink is recoverable by default and counted by its code', async () => {
  reset();
  const r = await runPipeline(pipeline('fake', [], ['write-connection']), registries);
  assert.is(r.error, undefined);
  const m = meter(r.result!.meters, 'sink:write-connection');
  assert.equal(m.events, { CONNECTION_LOST: 1 });
  assert.is(m.dropped, 1);
  assert.equal(written.get('write-connection'), ALL.slice(1));
});

test.run();
