import { type SchedulerAction, type SchedulerLike, Subscription } from 'rxjs';
import type { Clock } from '../../src/core/clock.ts';

interface Scheduled {
  readonly at: number;
  readonly order: number;
  readonly run: () => void;
  cancelled: boolean;
}

/**
 * A scheduler whose time moves only when the test says so. `advanceTo` runs
 * every action due by then in time order and lets promise callbacks settle
 * between them, so async code driven by timers (reconnects, watchdogs) runs
 * exactly as it would, at exact virtual times.
 */
export class ManualScheduler implements SchedulerLike {
  #now = 0;
  #order = 0;
  #queue: Scheduled[] = [];

  now(): number {
    return this.#now;
  }

  schedule<T>(
    work: (this: SchedulerAction<T>, state?: T) => void,
    delay = 0,
    state?: T,
  ): Subscription {
    const entry: Scheduled = {
      at: this.#now + Math.max(0, delay),
      order: this.#order++,
      cancelled: false,
      run: () => work.call(undefined as unknown as SchedulerAction<T>, state),
    };
    this.#queue.push(entry);
    return new Subscription(() => {
      entry.cancelled = true;
    });
  }

  /** Actions waiting (not cancelled), for asserting that nothing is left running. */
  get pending(): number {
    return this.#queue.filter((e) => !e.cancelled).length;
  }

  async advanceTo(time: number): Promise<void> {
    await settle();
    for (;;) {
      const due = this.#queue
        .filter((e) => !e.cancelled && e.at <= time)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      this.#queue = this.#queue.filter((e) => e !== due);
      this.#now = due.at;
      due.run();
      await settle();
    }
    this.#now = time;
    await settle();
  }

  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.#now + ms);
  }
}

/** Lets queued promise callbacks run (several rounds: chains of `then`). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

export function manualClock(scheduler: ManualScheduler, epoch = 1_700_000_000_000): Clock {
  return { now: () => scheduler.now(), wallNow: () => epoch + scheduler.now(), scheduler };
}
