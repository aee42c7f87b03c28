import { collectDefaultMetrics, Counter, Gauge, type Metric, Registry } from 'prom-client';
import type { HealthState } from '../core/health.ts';
import type { HistogramSnapshot, MeterSnapshot } from '../core/meter.ts';
import type { MetricsView } from '../core/metrics-view.ts';
import { readiness } from './readiness.ts';
import { type ContributedGauge, contributedGauges } from './sink-gauges.ts';

/** A pipeline's Prometheus metrics: its own registry, read from the MetricsView at each scrape. */
export interface PipelineMetrics {
  /** Never prom-client's global registry: two pipelines (or tests) in one process cannot collide. */
  readonly registry: Registry;
  /** `text/plain; version=0.0.4; charset=utf-8` */
  readonly contentType: string;
  /** The exposition text now (Prometheus text format 0.0.4). */
  text(): Promise<string>;
}

export interface PipelineMetricsOptions {
  /** Also the Node.js process metrics (`framewire_process_cpu_seconds_total`, heap, event loop lag); default true. */
  readonly processMetrics?: boolean;
}

const HEALTH_STATES: readonly HealthState[] = [
  'connecting',
  'connected',
  'stalled',
  'reconnecting',
  'failed',
];

type MeterLabel = 'component' | 'kind';

/**
 * Builds the registry. Counters and gauges are prom-client's own, filled in
 * their `collect()` at scrape time from one snapshot of the meters (the
 * documented way for values that live elsewhere). Histograms cannot be: a
 * prom-client Histogram only learns by `observe()`, and the meters already hold
 * cumulative buckets (constant memory, every frame counted), so they are
 * published by a small metric object that answers prom-client's `get()` with
 * bucket, sum and count samples, exactly the shape its own Histogram returns;
 * the registry then writes HELP, TYPE, label escaping and the content type for
 * them like for any other metric.
 */
export function pipelineMetrics(
  view: MetricsView,
  opts: PipelineMetricsOptions = {},
): PipelineMetrics {
  const registry = new Registry();
  // One snapshot per scrape: every collector of one scrape sees the same numbers.
  let scrape: readonly MeterSnapshot[] | undefined;
  const meters = () => scrape ?? view.snapshot();
  const labels = (m: MeterSnapshot) => ({ component: m.name, kind: m.kind });

  const meterCounter = (name: string, help: string, value: (m: MeterSnapshot) => number) =>
    new Counter<MeterLabel>({
      name,
      help,
      labelNames: ['component', 'kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const m of meters()) this.inc(labels(m), value(m));
      },
    });
  meterCounter('framewire_frames_in_total', 'Frames that entered the component', (m) => m.framesIn);
  meterCounter(
    'framewire_frames_out_total',
    'Frames the component completed (a sink: wrote)',
    (m) => m.framesOut,
  );
  meterCounter(
    'framewire_frames_dropped_total',
    'Frames the component dropped (a live source or a lossy sink by policy, a stage that lost one)',
    (m) => m.dropped,
  );

  new Counter<MeterLabel>({
    name: 'framewire_cpu_seconds_total',
    help: 'CPU time of the component: its main-thread work, its threads (inference) and its ffmpeg processes (Linux only)',
    labelNames: ['component', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of meters()) if (m.cpuMs !== undefined) this.inc(labels(m), m.cpuMs / 1000);
    },
  });

  new Counter<MeterLabel | 'code'>({
    name: 'framewire_events_total',
    help: 'Recoverable events by code (FRAME_CORRUPT, RECONNECT, ...); a code that never happened has no series',
    labelNames: ['component', 'kind', 'code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of meters()) {
        for (const [code, n] of Object.entries(m.events)) {
          if (n !== undefined) this.inc({ ...labels(m), code }, n);
        }
      }
    },
  });

  new Gauge<MeterLabel>({
    name: 'framewire_fps',
    help: 'Frames completed per second over the sliding window',
    labelNames: ['component', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of meters()) this.set(labels(m), m.fps);
    },
  });

  new Gauge<MeterLabel>({
    name: 'framewire_queue_depth',
    help: "Frames waiting now in the component's queue (live sources, sinks)",
    labelNames: ['component', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of meters()) if (m.queueDepth !== undefined) this.set(labels(m), m.queueDepth);
    },
  });

  new Gauge<MeterLabel | 'state'>({
    name: 'framewire_health_state',
    help: 'Health of each live component that reports it: 1 for its current state, 0 for the others',
    labelNames: ['component', 'kind', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      const all = meters();
      for (const report of view.health()) {
        const kind = all.find((m) => m.name === report.component)?.kind;
        const at = { component: report.component, ...(kind ? { kind } : {}) };
        for (const state of HEALTH_STATES) {
          this.set({ ...at, state }, report.event.state === state ? 1 : 0);
        }
      }
    },
  });

  new Gauge({
    name: 'framewire_ready',
    help: 'Whether /readyz answers 200: the source delivers frames and is not reconnecting',
    registers: [registry],
    collect() {
      this.set(readiness(view).ready ? 1 : 0);
    },
  });

  register(
    registry,
    new SnapshotHistogram(
      'framewire_process_seconds',
      'Service time per frame (time spent working on it, waiting excluded), in seconds',
      // The runner times no source's work: a source row would be zeros that say nothing.
      () =>
        meters().flatMap((m) =>
          m.kind !== 'source' || m.processHistogram.count > 0
            ? [{ labels: labels(m), histogram: m.processHistogram }]
            : [],
        ),
    ),
  );
  register(
    registry,
    new SnapshotHistogram(
      'framewire_latency_seconds',
      'Sinks: age of each frame when the sink took it, from its capture, in seconds',
      () =>
        meters().flatMap((m) =>
          m.latencyHistogram ? [{ labels: labels(m), histogram: m.latencyHistogram }] : [],
        ),
    ),
  );

  if (opts.processMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'framewire_' });

  const contributed = new ContributedMetrics(registry, view, meters);
  return {
    registry,
    contentType: registry.contentType,
    text() {
      contributed.sync();
      scrape = view.snapshot();
      try {
        // Every collector runs synchronously inside this call, before its first await.
        return registry.metrics();
      } finally {
        scrape = undefined;
      }
    },
  };
}

/** prom-client types `registerMetric` by its own classes; the registry itself needs only `get()`. */
function register(registry: Registry, metric: SnapshotHistogram): void {
  registry.registerMetric(metric as unknown as Metric);
}

interface HistogramSeries {
  readonly labels: Record<string, string>;
  readonly histogram: HistogramSnapshot;
}

/**
 * A histogram whose buckets come from the meters' cumulative histograms in
 * milliseconds, published in seconds: `_bucket{le=…}` per bound, then
 * `le="+Inf"` (= count), `_sum` and `_count`.
 */
class SnapshotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly series: () => readonly HistogramSeries[],
  ) {}

  async get() {
    const values = this.series().flatMap(({ labels, histogram: h }) => [
      ...h.le.map((le, i) => ({
        metricName: `${this.name}_bucket`,
        labels: { ...labels, le: seconds(le) },
        value: h.counts[i]!,
      })),
      { metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count },
      { metricName: `${this.name}_sum`, labels, value: seconds(h.sum) },
      { metricName: `${this.name}_count`, labels, value: h.count },
    ]);
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    };
  }

  /** `Registry.resetMetrics()`: nothing to reset, the meters own the numbers. */
  reset(): void {}
}

/**
 * The sinks' own gauges (see sink-gauges.ts): one prom-client metric per name,
 * registered when a sink first contributes it, one series per sink labelled
 * with the sink's meter name.
 */
class ContributedMetrics {
  readonly #registered = new Map<string, 'gauge' | 'counter'>();

  constructor(
    private readonly registry: Registry,
    private readonly view: MetricsView,
    private readonly meters: () => readonly MeterSnapshot[],
  ) {}

  sync(): void {
    for (const { gauge } of contributedGauges(this.view)) {
      if (this.#registered.has(gauge.name) || this.registry.getSingleMetric(gauge.name)) continue;
      this.#registered.set(gauge.name, gauge.type);
      const name = gauge.name;
      const series = () =>
        contributedGauges(this.view).filter(
          (c) => c.gauge.name === name && c.gauge.type === gauge.type,
        );
      const component = (c: ContributedGauge) => this.#meterName(c.component);
      const config = {
        name,
        help: gauge.help,
        labelNames: ['component', 'kind'] as const,
        registers: [this.registry],
      };
      if (gauge.type === 'counter') {
        new Counter({
          ...config,
          collect() {
            this.reset();
            for (const c of series())
              this.inc({ component: component(c), kind: 'sink' }, c.gauge.read());
          },
        });
      } else {
        new Gauge({
          ...config,
          collect() {
            this.reset();
            for (const c of series())
              this.set({ component: component(c), kind: 'sink' }, c.gauge.read());
          },
        });
      }
    }
  }

  /** `sinks[1] (websocket)` (a sink's `ctx.name`) is the second sink meter: `sink:websocket#2`. */
  #meterName(component: string): string {
    const at = /^sinks\[(\d+)\]/.exec(component);
    if (!at) return component;
    const sink = this.meters().filter((m) => m.kind === 'sink')[Number(at[1])];
    return sink?.name ?? component;
  }
}

/** Milliseconds as seconds, without binary noise (`0.00119`, not `0.0011899999999999999`). */
function seconds(ms: number): number {
  return Number((ms / 1000).toPrecision(12));
}
