import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FramewireError, redactDeep, redactUrl } from '../core/errors.ts';
import type { CpuSummary } from '../core/cpu-ledger.ts';
import type { HealthState } from '../core/health.ts';
import type { MeterSnapshot } from '../core/meter.ts';
import type { HealthSummary } from '../core/runner.ts';

/** What ended a run, as `--json-stats` reports it. */
export type StatsReason = 'end' | 'stopped' | 'failed';

/** The error of a failed run (or of a pipeline that never started), without a stack. */
export interface StatsError {
  /** A FramewireError code, or `INTERNAL` for a bug. */
  readonly code: string;
  readonly component?: string;
  /** Credentials in URLs are redacted, as on the terminal. */
  readonly message: string;
  readonly hint?: string;
}

/** The `--json-stats` document (version 1; README, "Metrics"). */
export interface StatsDocument {
  readonly v: 1;
  readonly pipeline: string;
  readonly reason: StatsReason;
  /** Only when `reason` is `failed`. */
  readonly error?: StatsError;
  /** Whatever meters exist: none when the pipeline failed before it was assembled. */
  readonly meters: readonly MeterSnapshot[];
  /** Live components' health by meter name (`source:rtsp`); empty when none reported any. */
  readonly health: Readonly<Record<string, HealthStats>>;
  /**
   * The run's CPU (ms): total, in ffmpeg processes, and what no meter's
   * `cpuMs` holds. Absent where threads have no CPU clock, or before assembly.
   */
  readonly cpu?: CpuSummary;
}

/** One component's health in `--json-stats`: its latest report, and reports by state. */
export interface HealthStats {
  readonly state: HealthState;
  readonly attempt?: number;
  readonly delayMs?: number;
  readonly detail?: string;
  /** ISO 8601 time of the latest report. */
  readonly time: string;
  /** How many reports of each state over the run (`{"connecting":3,"connected":3,…}`). */
  readonly states: Partial<Record<HealthState, number>>;
  /** Successful reconnects (the component's RECONNECT count). */
  readonly reconnects: number;
}

/** The `health` of the stats document, from the run's health and its meters' RECONNECT counts. */
export function healthStats(
  health: readonly HealthSummary[],
  meters: readonly MeterSnapshot[],
): Record<string, HealthStats> {
  return Object.fromEntries(
    health.map(({ latest, states }) => {
      const { event } = latest;
      const reconnects = meters.find((m) => m.name === latest.component)?.events.RECONNECT ?? 0;
      const stats: HealthStats = {
        state: event.state,
        ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
        ...(event.delayMs !== undefined ? { delayMs: Math.round(event.delayMs) } : {}),
        ...(event.detail !== undefined ? { detail: event.detail } : {}),
        time: new Date(latest.time).toISOString(),
        states,
        reconnects,
      };
      return [latest.component, stats];
    }),
  );
}

/** Describes any thrown value the way `reportError` prints it: code, component, message. */
export function statsError(err: unknown): StatsError {
  if (err instanceof FramewireError) {
    return {
      code: err.code,
      ...(err.component ? { component: err.component } : {}),
      message: redactUrl(err.message),
      ...(err.hint ? { hint: redactUrl(err.hint) } : {}),
    };
  }
  return { code: 'INTERNAL', message: redactUrl(err instanceof Error ? err.message : String(err)) };
}

/**
 * Writes the document to `path` (its directory is created). A file that cannot
 * be written is a SINK_WRITE error naming the option and the path, never a stack.
 */
export function writeJsonStats(path: string, doc: StatsDocument): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    // Component names and meter names can quote a source URL too.
    writeFileSync(path, `${JSON.stringify(redactDeep(doc), null, 2)}\n`);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new FramewireError('SINK_WRITE', `cannot write --json-stats "${path}": ${why}`, {
      cause: err,
    });
  }
}
