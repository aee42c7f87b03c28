// Virtual time for runs that also await promises (sink writes, opening): the
// clock moves to the next scheduled action only once everything else has
// settled, so asynchronous code runs "at" the virtual time it was woken at.
import { VirtualTimeScheduler } from 'rxjs';
import { type Clock, schedulerClock } from '../../src/core/clock.ts';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SteppedTime {
  readonly scheduler = new VirtualTimeScheduler();
  readonly clock: Clock = schedulerClock(this.scheduler);

  /**
   * Resolves (or rejects) as `work` does, advancing virtual time one due
   * action at a time in between. Fails instead of hanging when nothing is
   * scheduled and the work does not finish.
   */
  async drive<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const finished = work.then(
      (value) => {
        done = true;
        return value;
      },
      (err: unknown) => {
        done = true;
        throw err;
      },
    );
    finished.catch(() => {});
    let idle = 0;
    while (!done) {
      await settle();
      await settle();
      if (done) break;
      const next = this.scheduler.actions[0];
      if (!next) {
        if (++idle > 200) throw new Error('stalled: nothing scheduled and the work is not done');
        continue;
      }
      idle = 0;
      this.scheduler.maxFrames = next.delay;
      this.scheduler.flush();
    }
    return finished;
  }
}
