import type { Clock } from './clock.ts';
import { attributed, type FramewireError, isRecoverable } from './errors.ts';
import type { EventCode, EventCounts } from './events.ts';
import { describeHealth, type HealthEvent, type HealthReport, type HealthState } from './health.ts';
import type { Logger } from './log.ts';

/** One counted event as it happens, for live feeds (WebSocket `health`, logs). */
export interface CountedEvent {
  /** The meter it is counted on (`source:rtsp`, `decode`, `sink:websocket`). */
  readonly component: string;
  readonly code: EventCode;
  readonly n: number;
  /** Monotonic ms from the run's clock. */
  readonly at: number;
  /** The error's message, when the event came from a recoverable error. */
  readonly message: string | undefined;
}

/**
 * The one channel for what components report at run time: recoverable events
 * are counted by code per component (and streamed to subscribers); a fatal
 * error is attributed to its component and handed to the run, which ends.
 * Components reach it through `ctx.count` / `ctx.report`; the runner through
 * its sinks' write errors.
 */
export class EventLedger {
  readonly #counts = new Map<string, EventCounts>();
  readonly #listeners = new Set<(event: CountedEvent) => void>();
  readonly #warned = new Set<string>();
  readonly #health = new Map<string, HealthReport>();
  readonly #healthStates = new Map<string, Partial<Record<HealthState, number>>>();
  readonly #healthListeners = new Set<(report: HealthReport) => void>();
  #fatal: FramewireError | undefined;
  #onFatal: ((err: FramewireError) => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  count(component: string, code: EventCode, n = 1, message?: string): void {
    const counts = this.#counts.get(component) ?? {};
    counts[code] = (counts[code] ?? 0) + n;
    this.#counts.set(component, counts);
    const event = { component, code, n, at: this.clock.now(), message };
    for (const listener of this.#listeners) listener(event);
  }

  /** Counts so far for one component (a copy). */
  counts(component: string): EventCounts {
    return { ...this.#counts.get(component) };
  }

  /**
   * A component reports an error: recoverable ones are counted under their
   * code (the first of each code per component is also logged, so the user
   * learns why the count is there); a fatal one ends the run, naming `label`.
   */
  report(component: string, label: string, err: FramewireError): void {
    if (isRecoverable(err)) {
      const key = `${component}\0${err.code}`;
      if (!this.#warned.has(key)) {
        this.#warned.add(key);
        this.log.warn(`${label}: ${err.message} (counted as ${err.code}; later ones only counted)`);
      }
      this.count(component, err.code, 1, err.message);
      return;
    }
    const fatal = attributed(err, label);
    this.#fatal ??= fatal;
    this.#onFatal?.(fatal);
  }

  /** The first fatal error reported, if any. */
  get fatal(): FramewireError | undefined {
    return this.#fatal;
  }

  /** Where fatal reports go from now on; one reported earlier is handed over at once. */
  onFatal(handler: (err: FramewireError) => void): void {
    this.#onFatal = handler;
    if (this.#fatal) handler(this.#fatal);
  }

  /**
   * A component's health changed: logged (a failure as a warning), kept as its
   * current state, and handed to every health subscriber.
   */
  health(component: string, event: HealthEvent): void {
    const report: HealthReport = {
      component,
      event,
      at: this.clock.now(),
      time: this.clock.wallNow(),
    };
    this.#health.set(component, report);
    const states = this.#healthStates.get(component) ?? {};
    states[event.state] = (states[event.state] ?? 0) + 1;
    this.#healthStates.set(component, states);
    const line = describeHealth(report);
    if (event.state === 'failed' || event.state === 'stalled') this.log.warn(line);
    else this.log.info(line);
    for (const listener of this.#healthListeners) listener(report);
  }

  /** The latest health report of each component that has reported one. */
  healthNow(): readonly HealthReport[] {
    return [...this.#health.values()];
  }

  /** How many reports of each state a component made so far (a copy). */
  healthStates(component: string): Partial<Record<HealthState, number>> {
    return { ...this.#healthStates.get(component) };
  }

  /** Every health report as it happens; returns the unsubscribe function. */
  subscribeHealth(listener: (report: HealthReport) => void): () => void {
    this.#healthListeners.add(listener);
    return () => this.#healthListeners.delete(listener);
  }

  /** Every counted event as it happens; returns the unsubscribe function. */
  subscribe(listener: (event: CountedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
