/** Where a live source's connection is (DESIGN.md, "Errors and events"). */
export type HealthState = 'connecting' | 'connected' | 'stalled' | 'reconnecting' | 'failed';

/** One event of a live source's health stream (RTSP, camera), as `frame.meta.health` carries it. */
export interface HealthEvent {
  readonly state: HealthState;
  /** Reconnection attempt, from 1, while `reconnecting` (and on the `failed` that ends them). */
  readonly attempt?: number;
  /** Backoff before the next attempt, in milliseconds. */
  readonly delayMs?: number;
  /** What happened, for people (never credentials). */
  readonly detail?: string;
}
