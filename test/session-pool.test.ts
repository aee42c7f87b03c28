// Several sessions of one model behind one backend (detect/segment `instances`):
// runs go to the sessions in strict turns, close closes each once, and a
// session that fails to open takes the pool down without leaking the others.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { OutputTensor } from '../src/models/decoders/types.ts';
import { openSessionPool, sessionPool } from '../src/models/session-pool.ts';
import type { InferenceBackend } from '../src/models/session.ts';
import { describeSessions, inferenceSessions } from '../src/stages/inference-options.ts';

function fakeSession(id: number, log: string[]): InferenceBackend {
  return {
    inputs: [{ name: 'images', type: 'float32', dims: [1, 3, 8, 8] }],
    outputs: [{ name: `out${id}`, type: 'float32', dims: [1, 1] }],
    metadata: { session: String(id) },
    provider: 'cpu',
    run: async () => {
      log.push(`run ${id}`);
      return [{ name: 'out', dims: [1], data: Float32Array.of(id) }] as OutputTensor[];
    },
    close: async () => {
      log.push(`close ${id}`);
    },
  };
}

test('runs go to the sessions in turn, and each result is its own session’s', async () => {
  const log: string[] = [];
  const pool = sessionPool([0, 1, 2].map((i) => fakeSession(i, log)));
  const results: number[] = [];
  for (let k = 0; k < 7; k++) results.push((await pool.run({}))[0]!.data[0] as number);
  assert.equal(results, [0, 1, 2, 0, 1, 2, 0]);
  // What the pool says about the model is the first session's.
  assert.equal(pool.metadata, { session: '0' });
  assert.is(pool.outputs[0]!.name, 'out0');
});

test('closing the pool closes every session once, however often it is called', async () => {
  const log: string[] = [];
  const pool = sessionPool([0, 1].map((i) => fakeSession(i, log)));
  await Promise.all([pool.close(), pool.close()]);
  await pool.close();
  assert.equal(log.sort(), ['close 0', 'close 1']);
});

test('one session is returned as it is', () => {
  const only = fakeSession(0, []);
  assert.is(sessionPool([only]), only);
  assert.throws(() => sessionPool([]), /at least one session/);
});

test('a session that fails to open fails the pool, and the opened ones are closed', async () => {
  const log: string[] = [];
  let n = 0;
  try {
    await openSessionPool(3, async () => {
      const id = n++;
      if (id === 1) throw new Error('no memory for session 1');
      return fakeSession(id, log);
    });
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).message, 'no memory for session 1');
  }
  assert.equal(log.sort(), ['close 0', 'close 2']);
});

test('sessions of a stage: its own instances and threads, else two sharing a budget of 2 or more', () => {
  const budget = (inference: number) => ({
    threads: { cores: 2, inference, decode: 1, encode: 1 },
  });
  // The defaults (README "Threads and cores").
  assert.equal(inferenceSessions({}, budget(1)), { instances: 1, threads: 1 });
  assert.equal(inferenceSessions({}, budget(2)), { instances: 2, threads: 1 });
  assert.equal(inferenceSessions({}, budget(5)), { instances: 2, threads: 2 });
  // A stage's own word.
  assert.equal(inferenceSessions({ instances: 1 }, budget(2)), { instances: 1, threads: 2 });
  assert.equal(inferenceSessions({ instances: 3 }, budget(2)), { instances: 3, threads: 1 });
  // `threads` alone is one session of that many, as before there were instances.
  assert.equal(inferenceSessions({ threads: 1 }, budget(2)), { instances: 1, threads: 1 });
  assert.equal(inferenceSessions({ instances: 2, threads: 2 }, budget(2)), {
    instances: 2,
    threads: 2,
  });
  assert.equal(inferenceSessions({ instances: 1, threads: 4 }, budget(2)), {
    instances: 1,
    threads: 4,
  });
});

test('--verbose says how a stage shares the cores; without it, nothing', () => {
  const said: string[] = [];
  const log = (verbose: boolean) => ({
    info: (m: string) => said.push(m),
    warn: (m: string) => said.push(m),
    verbose,
  });
  describeSessions('stages[0] (detect)', { instances: 2, threads: 1 }, log(false));
  assert.equal(said, []);
  describeSessions('stages[0] (detect)', { instances: 2, threads: 1 }, log(true));
  describeSessions('stages[1] (segment)', { instances: 1, threads: 2 }, log(true));
  assert.equal(said, [
    'stages[0] (detect): 2 sessions × 1 thread (README "Threads and cores")',
    'stages[1] (segment): 1 session × 2 threads (README "Threads and cores")',
  ]);
});

test.run();
