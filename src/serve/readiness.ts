import { describeHealth, type HealthState } from '../core/health.ts';
import type { MetricsView } from '../core/metrics-view.ts';

/** Whether the pipeline serves what it is for, and why not, in one line. */
export interface Readiness {
  readonly ready: boolean;
  /** `ready`, `waiting for the first frame from source:rtsp`, `source:rtsp reconnecting (attempt 2, in 400 ms): …`. */
  readonly reason: string;
}

/** A live source in one of these states delivers no frames now, whatever it delivered before. */
const NOT_DELIVERING: ReadonlySet<HealthState> = new Set([
  'connecting',
  'reconnecting',
  'stalled',
  'failed',
]);

/**
 * Ready once the source has delivered a frame, and not while its latest health
 * report says it is away (connecting, reconnecting, stalled, failed). Only the
 * source decides: a network sink that reconnects loses its own viewers, but the
 * pipeline still serves every other output.
 */
export function readiness(view: MetricsView): Readiness {
  const source = view.snapshot().find((m) => m.kind === 'source');
  if (!source) return { ready: false, reason: 'the pipeline has no source yet' };
  const health = view.health().find((r) => r.component === source.name);
  if (health && NOT_DELIVERING.has(health.event.state)) {
    return { ready: false, reason: describeHealth(health) };
  }
  if (source.framesOut === 0) {
    return { ready: false, reason: `waiting for the first frame from ${source.name}` };
  }
  return { ready: true, reason: 'ready' };
}
