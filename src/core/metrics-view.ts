import type { CountedEvent } from './event-ledger.ts';
import type { HealthReport } from './health.ts';
import type { MeterSnapshot } from './meter.ts';

/**
 * A read-only window on a running pipeline's metrics, for sinks that publish
 * them (WebSocket `stats` and `health` messages, a Prometheus `/metrics`
 * endpoint). Nothing here can change the run.
 */
export interface MetricsView {
  /** Every meter now (source, stages, sinks in pipeline order), events by code included. */
  snapshot(): readonly MeterSnapshot[];
  /** Each counted event as it happens; returns the unsubscribe function. */
  onEvent(listener: (event: CountedEvent) => void): () => void;
  /** The latest health report of each component that has reported one, in order of first report. */
  health(): readonly HealthReport[];
  /** Each health report as it happens; returns the unsubscribe function. */
  onHealth(listener: (report: HealthReport) => void): () => void;
}
