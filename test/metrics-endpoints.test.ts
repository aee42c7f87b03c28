/**
 * The operators' endpoints against a real PipelineRun (real runner, meters,
 * event ledger, HTTP server on a free port), fed by an in-process live source
 * that reports health through `ctx.health` and waits at gates the test opens:
 * /readyz follows connecting → first frames → an outage → reconnected, and
 * /metrics at the end carries exactly the numbers `--json-stats` writes (the
 * run's result meters) for counters, events and histograms.
 */
import { request } from 'node:http';
import { Registry as PromRegistry, register as promGlobalRegistry } from 'prom-client';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { defineSink, defineSource, type SourceObserver } from '../src/core/component.ts';
import type { Frame } from '../src/core/frame.ts';
import { silentLogger } from '../src/core/log.ts';
import type { MeterSnapshot } from '../src/core/meter.ts';
import type { MetricsView } from '../src/core/metrics-view.ts';
import { type HttpEndpoint, listenHttp } from '../src/serve/http-endpoint.ts';
import { mountOperatorEndpoints, mountStartingEndpoints } from '../src/serve/operator-endpoints.ts';
import { pipelineMetrics } from '../src/serve/prometheus.ts';
import { contributeGauges } from '../src/serve/sink-gauges.ts';
import { type Family, parsePrometheusText, sampleValue } from './helpers/prometheus-text.ts';
import { withTestComponents } from './helpers/registries.ts';

/** A point the source stops at until the test opens it; `reached` says it is there. */
class Gate {
  #arrive!: () => void;
  #open!: () => void;
  readonly reached = new Promise<void>((r) => (this.#arrive = r));
  readonly #opened = new Promise<void>((r) => (this.#open = r));
  async pass(): Promise<void> {
    this.#arrive();
    await this.#opened;
  }
  open(): void {
    this.#open();
  }
}

interface Script {
  connecting: Gate;
  connected: Gate;
  delivered: Gate;
  outage: Gate;
}

/**
 * A camera-like source: connecting, connected, 5 frames, an outage
 * (CONNECTION_LOST, reconnecting), reconnected (RECONNECT), 5 more frames, end;
 * frames only against demand.
 */
function scriptedSource(script: () => Script) {
  return defineSource({
    type: 'scripted',
    doc: 'test: a live source that follows the test',
    options: {},
    create(_config, ctx) {
      const steps = script();
      let demand = 0;
      let stopped = false;
      let wake: (() => void) | undefined;
      let observer: SourceObserver | undefined;
      const demanded = () =>
        new Promise<void>((r) => {
          if (demand > 0 || stopped) r();
          else wake = r;
        });
      const emit = async (seq: number) => {
        await demanded();
        if (stopped || !observer) return;
        demand--;
        const frame: Frame = {
          seq,
          pts: seq * 40_000,
          time: ctx.clock.now(),
          width: 2,
          height: 2,
          format: 'yuv420p',
          data: ctx.pool.acquire(6).fill(seq),
          sourceId: 'scripted',
          meta: { timings: {} },
        };
        observer.next(frame);
      };
      const play = async (o: SourceObserver) => {
        ctx.health({ state: 'connecting' });
        await steps.connecting.pass();
        ctx.health({ state: 'connected' });
        await steps.connected.pass();
        for (let seq = 0; seq < 5; seq++) await emit(seq);
        await steps.delivered.pass();
        ctx.count('CONNECTION_LOST');
        ctx.health({
          state: 'reconnecting',
          attempt: 1,
          delayMs: 250,
          detail: 'connection refused',
        });
        await steps.outage.pass();
        ctx.count('RECONNECT');
        ctx.health({ state: 'connected' });
        for (let seq = 5; seq < 10; seq++) await emit(seq);
        o.complete();
      };
      return {
        live: true,
        async open() {
          return { width: 2, height: 2, format: 'yuv420p', fps: 25, frames: undefined };
        },
        start(o) {
          observer = o;
          void play(o);
        },
        request(n) {
          demand += n;
          wake?.();
          wake = undefined;
        },
        stop() {
          stopped = true;
          wake?.();
        },
        async close() {},
        dropped: () => 0,
      };
    },
  });
}

/** A sink that publishes its own figures: 3 clients, and 2 drops per frame written. */
const gaugedSink = defineSink({
  type: 'gauged',
  doc: 'test: a sink with its own gauges',
  lossless: true,
  options: {},
  create(_config, ctx) {
    let written = 0;
    let withdraw = () => {};
    return {
      open(host) {
        withdraw = contributeGauges(host.metrics, ctx.name, [
          { name: 'framewire_test_clients', help: 'clients now', type: 'gauge', read: () => 3 },
          {
            name: 'framewire_test_dropped_total',
            help: 'drops so far',
            type: 'counter',
            read: () => written * 2,
          },
        ]);
      },
      write() {
        written++;
      },
      async close() {
        withdraw();
      },
    };
  },
});

let script: Script;
const registries = withTestComponents({
  sources: [scriptedSource(() => script)],
  sinks: [gaugedSink],
});

async function get(
  endpoint: HttpEndpoint,
  path: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint.url}${path}`, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function scrape(endpoint: HttpEndpoint): Promise<Map<string, Family>> {
  const r = await get(endpoint, '/metrics');
  assert.is(r.status, 200, r.body);
  assert.is(r.type, 'text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(r.body);
}

/** Every meter's counters, events and histograms on /metrics equal the snapshot's. */
function assertMatches(families: Map<string, Family>, meters: readonly MeterSnapshot[]): void {
  for (const m of meters) {
    const labels = { component: m.name, kind: m.kind };
    assert.is(sampleValue(families, 'framewire_frames_in_total', labels), m.framesIn, m.name);
    assert.is(sampleValue(families, 'framewire_frames_out_total', labels), m.framesOut, m.name);
    assert.is(sampleValue(families, 'framewire_frames_dropped_total', labels), m.dropped, m.name);
    const events = families
      .get('framewire_events_total')!
      .samples.filter((s) => s.labels.component === m.name);
    assert.equal(
      Object.fromEntries(events.map((s) => [s.labels.code, s.value])),
      m.events,
      `${m.name} events`,
    );
    if (m.kind === 'source' && m.processHistogram.count === 0) continue;
    const h = m.processHistogram;
    assert.is(sampleValue(families, 'framewire_process_seconds_count', labels), h.count);
    assert.ok(
      Math.abs(sampleValue(families, 'framewire_process_seconds_sum', labels) - h.sum / 1000) <
        1e-9,
    );
    for (const [i, le] of h.le.entries()) {
      assert.is(
        sampleValue(families, 'framewire_process_seconds_bucket', {
          ...labels,
          le: String(le / 1000),
        }),
        h.counts[i],
        `${m.name} le=${le} ms`,
      );
    }
    assert.is(
      sampleValue(families, 'framewire_process_seconds_bucket', { ...labels, le: '+Inf' }),
      h.count,
    );
  }
}

const health = (families: Map<string, Family>, state: string) =>
  sampleValue(families, 'framewire_health_state', { component: 'source:scripted', state });

test('/readyz follows a live source: connecting, first frames, an outage, reconnected; /metrics ends equal to the run result', async () => {
  script = {
    connecting: new Gate(),
    connected: new Gate(),
    delivered: new Gate(),
    outage: new Gate(),
  };
  const config = parsePipeline(
    'source: { type: scripted }\nsinks: [ { type: "null" }, { type: gauged } ]\n',
    'test.yaml',
    { registries },
  );
  const endpoint = await listenHttp({ port: 0, host: '127.0.0.1', label: 'metrics' });
  try {
    mountStartingEndpoints(endpoint);
    const starting = await get(endpoint, '/readyz');
    assert.equal(
      [starting.status, starting.body],
      [503, 'starting: the pipeline is opening its source\n'],
    );
    assert.is((await get(endpoint, '/healthz')).status, 200);
    assert.is((await get(endpoint, '/metrics')).status, 503);

    const { run } = await assemblePipeline(config, {
      registries,
      clock: systemClock,
      log: silentLogger,
      baseDir: process.cwd(),
    });
    mountOperatorEndpoints(endpoint, run.metrics);
    const result = run.run();

    await script.connecting.reached;
    let ready = await get(endpoint, '/readyz');
    assert.equal([ready.status, ready.body], [503, 'source:scripted connecting\n']);
    assert.equal([ready.type], ['text/plain; charset=utf-8']);
    const healthz = await get(endpoint, '/healthz');
    assert.equal([healthz.status, healthz.body], [200, 'ok\n']);
    let families = await scrape(endpoint);
    assert.is(health(families, 'connecting'), 1);
    assert.is(health(families, 'connected'), 0);
    assert.is(
      families
        .get('framewire_health_state')!
        .samples.filter(
          (x) => x.labels.kind === 'source' && x.labels.component === 'source:scripted',
        ).length,
      5,
    );
    assert.is(sampleValue(families, 'framewire_ready'), 0);
    assert.is(
      sampleValue(families, 'framewire_frames_out_total', { component: 'source:scripted' }),
      0,
    );
    script.connecting.open();

    await script.connected.reached;
    ready = await get(endpoint, '/readyz');
    assert.equal(
      [ready.status, ready.body],
      [503, 'waiting for the first frame from source:scripted\n'],
    );
    script.connected.open();

    await script.delivered.reached;
    ready = await get(endpoint, '/readyz');
    assert.equal([ready.status, ready.body], [200, 'ready\n']);
    families = await scrape(endpoint);
    assert.is(sampleValue(families, 'framewire_ready'), 1);
    assert.is(health(families, 'connected'), 1);
    assert.is(
      sampleValue(families, 'framewire_frames_out_total', { component: 'source:scripted' }),
      5,
    );
    script.delivered.open();

    await script.outage.reached;
    ready = await get(endpoint, '/readyz');
    assert.equal(
      [ready.status, ready.body],
      [503, 'source:scripted reconnecting (attempt 1, in 250 ms): connection refused\n'],
    );
    assert.is((await get(endpoint, '/healthz')).status, 200);
    families = await scrape(endpoint);
    assert.is(health(families, 'reconnecting'), 1);
    assert.is(health(families, 'connected'), 0);
    assert.is(
      sampleValue(families, 'framewire_events_total', {
        component: 'source:scripted',
        code: 'CONNECTION_LOST',
      }),
      1,
    );
    script.outage.open();

    const done = await result;
    ready = await get(endpoint, '/readyz');
    assert.equal([ready.status, ready.body], [200, 'ready\n']);
    families = await scrape(endpoint);
    // What --json-stats writes is done.meters (commands/run.ts).
    assert.equal(
      done.meters.map((m) => [m.name, m.framesOut]),
      [
        ['source:scripted', 10],
        ['sink:null', 10],
        ['sink:gauged', 10],
      ],
    );
    assertMatches(families, done.meters);
    assert.equal(done.meters[0]!.events, { CONNECTION_LOST: 1, RECONNECT: 1 });
    // The gauged sink withdrew its gauges on close: their metrics stay declared, without series.
    assert.equal(families.get('framewire_test_clients')?.samples, []);
  } finally {
    await endpoint.close();
  }
});

test('a sink’s own gauges appear on /metrics, labelled with its meter name, while it is open', async () => {
  script = {
    connecting: new Gate(),
    connected: new Gate(),
    delivered: new Gate(),
    outage: new Gate(),
  };
  const config = parsePipeline(
    'source: { type: scripted }\nsinks: [ { type: "null" }, { type: gauged } ]\n',
    'test.yaml',
    { registries },
  );
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
  });
  const endpoint = await listenHttp({ port: 0, host: '127.0.0.1', label: 'metrics' });
  try {
    mountOperatorEndpoints(endpoint, run.metrics);
    const result = run.run();
    for (const gate of ['connecting', 'connected'] as const) {
      await script[gate].reached;
      script[gate].open();
    }
    await script.delivered.reached;
    const families = await scrape(endpoint);
    const clients = families.get('framewire_test_clients')!;
    assert.is(clients.type, 'gauge');
    assert.is(clients.help, 'clients now');
    assert.equal(clients.samples, [
      {
        name: 'framewire_test_clients',
        labels: { component: 'sink:gauged', kind: 'sink' },
        value: 3,
      },
    ]);
    const sinkOut = sampleValue(families, 'framewire_frames_out_total', {
      component: 'sink:gauged',
    });
    assert.is(families.get('framewire_test_dropped_total')!.type, 'counter');
    assert.is(
      sampleValue(families, 'framewire_test_dropped_total', { component: 'sink:gauged' }),
      sinkOut * 2,
    );
    script.delivered.open();
    await script.outage.reached;
    script.outage.open();
    await result;
  } finally {
    await endpoint.close();
  }
});

/** A view of fixed meters, for the registry alone. */
function fixedView(meters: MeterSnapshot[]): MetricsView {
  return {
    snapshot: () => meters,
    onEvent: () => () => {},
    health: () => [],
    onHealth: () => () => {},
  };
}

const meter = (name: string, framesOut: number): MeterSnapshot => ({
  name,
  kind: 'sink',
  framesIn: framesOut,
  framesOut,
  dropped: 0,
  fps: 0,
  avgFps: 0,
  processMs: { p50: 0, p95: 0, max: 0 },
  queueWaitMs: { p50: 0, p95: 0, max: 0 },
  // 1 ms, 2 ms, 40 ms and 20 s, by hand: le=0.001 holds 1, le=0.002 2, le=0.05 3, +Inf 4.
  processHistogram: {
    le: [1, 2, 5, 10, 20, 33, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
    counts: [1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
    sum: 20043,
    count: 4,
  },
  latencyMs: { p50: 0, p95: 0, max: 0 },
  latencyHistogram: {
    le: [1, 2, 5, 10, 20, 33, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
    counts: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    sum: 30,
    count: 1,
  },
  queueDepth: 7,
  events: { SINK_WRITE: 2 },
});

test('two pipelines in one process: separate registries, never the global one; seconds from ms', async () => {
  const before = promGlobalRegistry.getMetricsAsArray().length;
  const a = pipelineMetrics(fixedView([meter('sink:a', 4)]));
  const b = pipelineMetrics(fixedView([meter('sink:b', 9)]), { processMetrics: false });
  assert.ok(a.registry instanceof PromRegistry);
  assert.is.not(a.registry, b.registry);
  assert.is(promGlobalRegistry.getMetricsAsArray().length, before);
  const fa = parsePrometheusText(await a.text());
  const fb = parsePrometheusText(await b.text());
  assert.is(sampleValue(fa, 'framewire_frames_out_total', { component: 'sink:a' }), 4);
  assert.is(sampleValue(fb, 'framewire_frames_out_total', { component: 'sink:b' }), 9);
  assert.not.ok([...fb.keys()].some((k) => k.includes('sink:a')));
  // Process metrics carry the prefix, and only where asked for.
  assert.ok(fa.has('framewire_process_cpu_seconds_total'));
  assert.not.ok(fb.has('framewire_process_cpu_seconds_total'));
  for (const name of fa.keys()) assert.match(name, /^framewire_/);
  const l = { component: 'sink:a', kind: 'sink' };
  assert.is(sampleValue(fa, 'framewire_process_seconds_bucket', { ...l, le: '0.001' }), 1);
  assert.is(sampleValue(fa, 'framewire_process_seconds_bucket', { ...l, le: '0.033' }), 2);
  assert.is(sampleValue(fa, 'framewire_process_seconds_bucket', { ...l, le: '0.05' }), 3);
  assert.is(sampleValue(fa, 'framewire_process_seconds_bucket', { ...l, le: '10' }), 3);
  assert.is(sampleValue(fa, 'framewire_process_seconds_bucket', { ...l, le: '+Inf' }), 4);
  assert.is(sampleValue(fa, 'framewire_process_seconds_sum', l), 20.043);
  assert.is(sampleValue(fa, 'framewire_latency_seconds_bucket', { ...l, le: '0.02' }), 0);
  assert.is(sampleValue(fa, 'framewire_latency_seconds_bucket', { ...l, le: '0.033' }), 1);
  assert.is(sampleValue(fa, 'framewire_latency_seconds_sum', l), 0.03);
  assert.is(sampleValue(fa, 'framewire_queue_depth', l), 7);
  assert.is(sampleValue(fa, 'framewire_events_total', { ...l, code: 'SINK_WRITE' }), 2);
  for (const name of [
    'framewire_frames_in_total',
    'framewire_process_seconds',
    'framewire_ready',
  ]) {
    assert.ok(fa.get(name)!.help.length > 10, `${name} has HELP text`);
  }
});

test('a sink gauge name outside framewire_, or a counter without _total, is refused', () => {
  const view = fixedView([]);
  assert.throws(
    () =>
      contributeGauges(view, 'sinks[0] (x)', [
        { name: 'ws_clients', help: 'h', type: 'gauge', read: () => 0 },
      ]),
    /framewire_/,
  );
  assert.throws(
    () =>
      contributeGauges(view, 'sinks[0] (x)', [
        { name: 'framewire_x_dropped', help: 'h', type: 'counter', read: () => 0 },
      ]),
    /_total/,
  );
});

test.run();
