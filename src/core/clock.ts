import { asyncScheduler, type SchedulerLike } from 'rxjs';

/**
 * The only way components learn the time. Tests pass a virtual clock (an RxJS
 * TestScheduler or a hand-advanced fake) so time-dependent behaviour is exact.
 */
export interface Clock {
  /** Monotonic milliseconds, for durations and rates. */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for timestamps users read. */
  wallNow(): number;
  /** Scheduler for RxJS time operators. */
  readonly scheduler: SchedulerLike;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  scheduler: asyncScheduler,
};

/** A clock driven by an RxJS scheduler (TestScheduler in virtual-time tests). */
export function schedulerClock(scheduler: SchedulerLike, epoch = 0): Clock {
  return { now: () => scheduler.now(), wallNow: () => epoch + scheduler.now(), scheduler };
}
