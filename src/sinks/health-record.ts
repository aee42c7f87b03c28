import { redactUrl } from '../core/errors.ts';
import type { HealthReport, HealthState } from '../core/health.ts';

/** A health report as a line of the JSON-lines contract (README, "Output contracts"). */
export interface HealthRecord {
  readonly type: 'health';
  /** The meter it belongs to (`source:rtsp`). */
  readonly component: string;
  readonly state: HealthState;
  readonly attempt?: number;
  readonly delayMs?: number;
  readonly detail?: string;
  /** ISO 8601 wall-clock time of the report, like a frame record's `time`. */
  readonly time: string;
}

/**
 * Frame records have no `type`; health records say `"type":"health"`, so a
 * reader that only wants frames skips lines that have a `type`.
 */
export function healthRecord(report: HealthReport): HealthRecord {
  const { event } = report;
  return {
    type: 'health',
    component: report.component,
    state: event.state,
    ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
    ...(event.delayMs !== undefined ? { delayMs: Math.round(event.delayMs) } : {}),
    // Already redacted by the source; once more, since this goes into a file.
    ...(event.detail !== undefined ? { detail: redactUrl(event.detail) } : {}),
    time: new Date(report.time).toISOString(),
  };
}
