// Live sources never fall behind: a paced producer faster than a slow consumer,
// in virtual time (RxJS TestScheduler), loses exactly the frames the policy says.
import { concatMap, map, Observable, tap, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Source, SourceObserver, StreamInfo } from '../src/core/component.ts';
import type { DropPolicy } from '../src/core/drop-queue.ts';
import type { Frame } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { LiveSource } from '../src/core/live-source.ts';

/** A device producing one frame every `period` ms; when given no demand it stalls (block). */
class PacedProducer implements Source {
  readonly live = false;
  #demand = 0;
  #next = 0;
  #observer: SourceObserver | undefined;
  #stalled = 0;
  constructor(
    private readonly scheduler: TestScheduler,
    private readonly count: number,
    private readonly period: number,
    private readonly pool: FramePool,
  ) {}
  async open(): Promise<StreamInfo> {
    return { width: 2, height: 2, format: 'yuv420p', fps: 1000 / this.period, frames: this.count };
  }
  start(observer: SourceObserver): void {
    this.#observer = observer;
    for (let k = 0; k < this.count; k++) {
      this.scheduler.schedule(() => {
        this.#stalled++;
        this.#emit();
      }, k * this.period);
    }
  }
  request(n: number): void {
    this.#demand += n;
    this.#emit();
  }
  #emit(): void {
    while (this.#stalled > 0 && this.#demand > 0) {
      this.#stalled--;
      this.#demand--;
      const seq = this.#next++;
      const frame: Frame = {
        seq,
        pts: seq * this.period * 1000,
        time: this.scheduler.now(),
        width: 2,
        height: 2,
        format: 'yuv420p',
        data: this.pool.acquire(6),
        sourceId: 'paced',
        meta: { timings: {} },
      };
      this.#observer!.next(frame);
      if (seq === this.count - 1) this.#observer!.complete();
    }
  }
  stop(): void {}
  async close(): Promise<void> {}
  dropped(): number {
    return 0;
  }
}

interface Case {
  policy: DropPolicy;
  delivered: number[];
  dropped: number;
}

// 10 frames at t = 0, 10, …, 90 ms; the consumer needs 36 ms per frame (no ties
// with arrivals) and takes frames at t = 0, 36, 72, 108, 144; queue of 2.
// drop-oldest: frame 3 evicts 1 (t=30), 5 evicts 3, 6 evicts 4, 7 evicts 5,
// 9 evicts 7 → delivered 0, 2, 6, 8, 9.
// drop-newest: frames 3, 5, 6, 7 and 9 arrive to a full queue → delivered 0, 1, 2, 4, 8.
// block: the producer is held back, nothing is lost.
const cases: Case[] = [
  { policy: 'drop-oldest', delivered: [0, 2, 6, 8, 9], dropped: 5 },
  { policy: 'drop-newest', delivered: [0, 1, 2, 4, 8], dropped: 5 },
  { policy: 'block', delivered: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], dropped: 0 },
];

for (const c of cases) {
  test(`${c.policy}: exactly the expected frames are dropped and counted`, () => {
    const scheduler = new TestScheduler((a, b) => assert.equal(a, b));
    const pool = new FramePool();
    const delivered: number[] = [];
    let maxQueued = 0;
    scheduler.run(() => {
      const live = new LiveSource(new PacedProducer(scheduler, 10, 10, pool), 2, c.policy, pool);
      const frames$ = new Observable<Frame>((sub) => {
        live.start({
          next: (f) => sub.next(f),
          error: (e) => sub.error(e),
          complete: () => sub.complete(),
        });
        live.request(1);
      });
      frames$
        .pipe(
          tap(() => (maxQueued = Math.max(maxQueued, live.queued))),
          concatMap((f) => timer(36, scheduler).pipe(map(() => f))),
          tap((f) => {
            delivered.push(f.seq);
            pool.release(f.data);
            live.request(1);
          }),
        )
        .subscribe();
      scheduler.flush();
      assert.equal(delivered, c.delivered);
      assert.is(live.dropped(), c.dropped);
    });
    assert.ok(maxQueued <= 2, `queue never exceeds its bound (saw ${maxQueued})`);
    assert.is(pool.outstanding, 0, 'every dropped frame was released');
  });
}

test('the queue bound is exact: a consumer that keeps up drops nothing', () => {
  const scheduler = new TestScheduler((a, b) => assert.equal(a, b));
  const pool = new FramePool();
  const delivered: number[] = [];
  scheduler.run(() => {
    const live = new LiveSource(new PacedProducer(scheduler, 10, 10, pool), 1, 'drop-oldest', pool);
    new Observable<Frame>((sub) => {
      live.start({
        next: (f) => sub.next(f),
        error: (e) => sub.error(e),
        complete: () => sub.complete(),
      });
      live.request(1);
    })
      .pipe(
        concatMap((f) => timer(9, scheduler).pipe(map(() => f))),
        tap((f) => {
          delivered.push(f.seq);
          pool.release(f.data);
          live.request(1);
        }),
      )
      .subscribe();
    scheduler.flush();
    assert.is(live.dropped(), 0);
  });
  assert.equal(delivered, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test.run();
