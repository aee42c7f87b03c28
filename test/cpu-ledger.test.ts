// How the CPU ledger attributes main-thread time, thread readings and totals,
// with clocks the test moves by hand: every expected figure is worked out in
// the comments from the moves.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CpuLedger, type CpuClocks } from '../src/core/cpu-ledger.ts';

function handClocks() {
  const t = { main: 1000, process: 5000, wall: 0, reaped: 0 };
  const clocks: CpuClocks = {
    mainThread: () => t.main,
    process: () => t.process,
    reapedChildren: () => t.reaped,
    wall: () => t.wall,
  };
  /** The main thread works `ms` (the process clock moves with it). */
  const work = (ms: number) => {
    t.main += ms;
    t.process += ms;
  };
  return { t, clocks, work };
}

test('main-thread time goes to the account running, the inner one when nested, the rest outside', () => {
  const { clocks, work } = handClocks();
  const ledger = new CpuLedger(clocks);
  const a = ledger.account('a');
  const b = ledger.account('b');
  work(4); // outside: 4
  a.run(() => {
    work(5); // a: 5
    b.run(() => work(3)); // b: 3
    work(2); // a: 7
  });
  work(1); // outside: 5
  assert.equal(Object.fromEntries(ledger.byComponent()), { a: 7, b: 3 });
  assert.is(ledger.summary()!.mainOutsideMs, 5);
});

test('a bound callback is charged on every call, and a throw still switches back', () => {
  const { clocks, work } = handClocks();
  const ledger = new CpuLedger(clocks);
  const a = ledger.account('a');
  const callback = a.bind((ms: number) => {
    work(ms);
    if (ms > 5) throw new Error('boom');
  });
  callback(2);
  callback(3);
  assert.throws(() => callback(6));
  work(10); // outside, not a: the throw left a's account
  assert.is(ledger.byComponent().get('a'), 11);
  assert.is(ledger.summary()!.mainOutsideMs, 10);
});

test("a thread reader's highest reading stands once it stops answering", () => {
  const { clocks } = handClocks();
  const ledger = new CpuLedger(clocks);
  const a = ledger.account('a');
  let reading: number | undefined = 40;
  a.addThreads(() => reading);
  assert.is(ledger.byComponent().get('a'), 40);
  reading = 90;
  assert.is(ledger.byComponent().get('a'), 90);
  // A worker that ended, or a smaller figure (a pool thread gone): 90 stays.
  reading = undefined;
  assert.is(ledger.byComponent().get('a'), 90);
  reading = 30;
  assert.is(ledger.byComponent().get('a'), 90);
});

test('the summary: wall, total, and what no account holds', () => {
  const { t, clocks, work } = handClocks();
  const ledger = new CpuLedger(clocks);
  const a = ledger.account('a');
  a.addThreads(() => 50);
  a.run(() => work(20));
  work(6);
  t.process += 50 + 9; // a's thread 50, and 9 ms on threads nobody claimed
  t.wall += 100;
  t.reaped += 12; // a child nobody claimed (a probe) ended
  // process grew 20 + 6 + 59 = 85; children 12; total 97.
  // Rows: a = 20 + 50 = 70; outside 6; other threads 85 − 26 − 50 = 9;
  // 70 + 6 + 9 + 12 (the unclaimed child) = 97.
  assert.equal(ledger.summary(), {
    wallMs: 100,
    totalMs: 97,
    childrenMs: 12,
    mainOutsideMs: 6,
    otherThreadsMs: 9,
  });
  assert.is(ledger.byComponent().get('a'), 70);
});

test('without a per-thread clock the ledger charges nothing and reports nothing', () => {
  const { clocks } = handClocks();
  const ledger = new CpuLedger({ ...clocks, mainThread: undefined });
  assert.is(ledger.available, false);
  const a = ledger.account('a');
  assert.is(
    a.run(() => 42),
    42,
  );
  assert.is(ledger.byComponent().size, 0);
  assert.is(ledger.summary(), undefined);
});

test.run();
