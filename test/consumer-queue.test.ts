// A per-client bounded queue: at the exact boundary the right item is dropped
// and released, drops are counted, and nothing queued is leaked at close.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ConsumerDropPolicy, ConsumerQueue } from '../src/core/consumer-queue.ts';

function queue(capacity: number, policy?: ConsumerDropPolicy) {
  const released: number[] = [];
  const q = new ConsumerQueue<number>({
    capacity,
    ...(policy ? { policy } : {}),
    release: (n) => released.push(n),
  });
  return { q, released };
}

function drain(q: ConsumerQueue<number>): number[] {
  const out: number[] = [];
  for (let n = q.take(); n !== undefined; n = q.take()) out.push(n);
  return out;
}

const boundary: {
  name: string;
  policy: ConsumerDropPolicy | undefined;
  capacity: number;
  offers: number;
  queued: number[];
  released: number[];
  accepted: boolean[];
}[] = [
  // N offers into a queue of N: nothing dropped.
  {
    name: 'drop-oldest, exactly full',
    policy: 'drop-oldest',
    capacity: 3,
    offers: 3,
    queued: [1, 2, 3],
    released: [],
    accepted: [true, true, true],
  },
  // The N+1th offer evicts the oldest (1) and is itself queued.
  {
    name: 'drop-oldest, one over',
    policy: 'drop-oldest',
    capacity: 3,
    offers: 4,
    queued: [2, 3, 4],
    released: [1],
    accepted: [true, true, true, true],
  },
  // The default policy is drop-oldest.
  {
    name: 'default policy, one over',
    policy: undefined,
    capacity: 3,
    offers: 4,
    queued: [2, 3, 4],
    released: [1],
    accepted: [true, true, true, true],
  },
  // drop-newest: the N+1th offer itself is dropped; the queue keeps 1..N.
  {
    name: 'drop-newest, one over',
    policy: 'drop-newest',
    capacity: 3,
    offers: 4,
    queued: [1, 2, 3],
    released: [4],
    accepted: [true, true, true, false],
  },
  // A queue of one, three over: only the last survives drop-oldest.
  {
    name: 'drop-oldest, capacity 1, three over',
    policy: 'drop-oldest',
    capacity: 1,
    offers: 4,
    queued: [4],
    released: [1, 2, 3],
    accepted: [true, true, true, true],
  },
];

for (const c of boundary) {
  test(`boundary: ${c.name}`, () => {
    const { q, released } = queue(c.capacity, c.policy);
    const accepted = Array.from({ length: c.offers }, (_, i) => q.offer(i + 1));
    assert.equal(accepted, c.accepted);
    assert.is(q.length, c.queued.length);
    assert.is(q.dropped, c.released.length);
    assert.equal(released, c.released);
    assert.equal(drain(q), c.queued);
  });
}

test('taking one frees exactly one place', () => {
  const { q, released } = queue(2);
  q.offer(1);
  q.offer(2);
  assert.is(q.take(), 1);
  q.offer(3);
  assert.equal(released, [], 'room for one more after a take');
  q.offer(4);
  assert.equal(released, [2]);
  assert.equal(drain(q), [3, 4]);
});

test('next() waits for an offer, and resolves undefined at close', async () => {
  const { q, released } = queue(2);
  const first = q.next();
  q.offer(7);
  assert.is(await first, 7);
  assert.is(q.length, 0, 'handed straight to the waiting consumer');
  const pending = q.next();
  q.close();
  assert.is(await pending, undefined);
  assert.equal(released, []);
});

test('close() releases what is queued, and later offers are released at once', () => {
  const { q, released } = queue(3);
  q.offer(1);
  q.offer(2);
  q.close();
  q.close();
  assert.equal(released, [1, 2], 'each released once');
  assert.is(q.offer(3), false);
  assert.equal(released, [1, 2, 3]);
  assert.is(q.dropped, 0, 'a closed client is not a policy drop');
  assert.is(q.take(), undefined);
});

test('a capacity below 1 is refused', () => {
  assert.throws(() => queue(0), /positive integer/);
});

test.run();
