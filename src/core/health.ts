/** Where a live source's connection is (DESIGN.md, "Errors and events"). */
export type HealthState = 'connecting' | 'connected' | 'stalled' | 'reconnecting' | 'failed';

/** One event of a live source's health stream (RTSP, camera). */
export interface HealthEvent {
  readonly state: HealthState;
  /** Reconnection attempt, from 1, while `reconnecting` (and on the `failed` that ends them). */
  readonly attempt?: number;
  /** Backoff before the next attempt, in milliseconds. */
  readonly delayMs?: number;
  /** What happened, for people (never credentials). */
  readonly detail?: string;
}

/**
 * A health event as the pipeline publishes it: which component reported it
 * and when. Health travels beside the frames, not on them: while a camera is
 * away there are no frames to carry it.
 */
export interface HealthReport {
  /** The meter it belongs to (`source:rtsp`, `sink:rtsp`). */
  readonly component: string;
  readonly event: HealthEvent;
  /** Monotonic ms from the run's clock. */
  readonly at: number;
  /** Wall-clock ms since the epoch, for records people read. */
  readonly time: number;
}

/** One line for the log: `source:rtsp reconnecting (attempt 2, in 400 ms): connection refused`. */
export function describeHealth(report: HealthReport): string {
  const { event } = report;
  const facts = [
    event.attempt !== undefined ? `attempt ${event.attempt}` : undefined,
    event.delayMs !== undefined ? `in ${Math.round(event.delayMs)} ms` : undefined,
  ].filter((f) => f !== undefined);
  const extra = facts.length > 0 ? ` (${facts.join(', ')})` : '';
  const detail = event.detail ? `: ${event.detail}` : '';
  return `${report.component} ${event.state}${extra}${detail}`;
}
