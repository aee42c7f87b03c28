import type { MetricsView } from '../core/metrics-view.ts';

/**
 * A figure only a sink itself knows (a WebSocket sink's connected clients, its
 * per-client drops), published on `/metrics` beside the meters. It is read at
 * scrape time, so a sink keeps no extra state for it.
 */
export interface SinkGauge {
  /** The full metric name: `framewire_` prefix, and `_total` for a counter (`framewire_ws_dropped_total`). */
  readonly name: string;
  /** One line for the metric's HELP text. */
  readonly help: string;
  /** `gauge` for a level that goes up and down, `counter` for a running total. */
  readonly type: 'gauge' | 'counter';
  /** The value now; a counter's never decreases. */
  read(): number;
}

/** A contributed gauge with the sink it belongs to. */
export interface ContributedGauge {
  /** What the sink passed: its `ctx.name` (`sinks[1] (websocket)`) or its meter name. */
  readonly component: string;
  readonly gauge: SinkGauge;
}

const METRIC_NAME = /^framewire_[a-z0-9_]+$/;

/**
 * Per pipeline (its MetricsView is the key), what its sinks contributed: every
 * `/metrics` endpoint of that pipeline — a websocket sink's own and the
 * top-level `metrics:` one — shows the same gauges, whoever mounted it.
 */
const contributions = new WeakMap<MetricsView, Set<ContributedGauge>>();

/**
 * Publishes a sink's own gauges on every `/metrics` of its pipeline, labelled
 * with the sink's meter name. Call it in `open(host)` with `host.metrics` and
 * the sink's `ctx.name`; call the returned function in `close()`.
 *
 *     const remove = contributeGauges(host.metrics, ctx.name, [
 *       { name: 'framewire_ws_clients', type: 'gauge', help: 'connected WebSocket clients', read: () => clients.size },
 *     ]);
 *
 * Throws on a name that is not `framewire_…` (a programming error, found by the
 * sink's first test).
 */
export function contributeGauges(
  view: MetricsView,
  component: string,
  gauges: readonly SinkGauge[],
): () => void {
  for (const g of gauges) {
    if (!METRIC_NAME.test(g.name)) {
      throw new Error(`sink gauge "${g.name}": names are framewire_ followed by [a-z0-9_]`);
    }
    if (g.type === 'counter' && !g.name.endsWith('_total')) {
      throw new Error(`sink gauge "${g.name}": a counter's name ends in _total`);
    }
  }
  let set = contributions.get(view);
  if (!set) {
    set = new Set();
    contributions.set(view, set);
  }
  const mine = gauges.map((gauge) => ({ component, gauge }));
  for (const c of mine) set.add(c);
  return () => {
    for (const c of mine) set.delete(c);
  };
}

/** Every gauge the pipeline's sinks contributed and have not withdrawn, in contribution order. */
export function contributedGauges(view: MetricsView): readonly ContributedGauge[] {
  return [...(contributions.get(view) ?? [])];
}
