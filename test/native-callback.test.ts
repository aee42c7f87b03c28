// OwedCallbacks keeps a process alive while native code owes a callback, and
// lets it exit once nothing is owed. Each case runs in a child Node process,
// where an unref'd timer stands in for node-webcodecs' unref'd output callback.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const moduleUrl = new URL('../src/core/native-callback.ts', import.meta.url).href;

/** Runs `body` as an ES module with `OwedCallbacks` imported; returns what it printed. */
function child(body: string): { code: number | null; out: string } {
  const source = `import { OwedCallbacks } from ${JSON.stringify(moduleUrl)};\n${body}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    encoding: 'utf8',
    // A process that never exits would be the bug; the runner's limit is the backstop.
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

// Each case: what the child does, and what it must print before exiting 0.
const cases = [
  {
    // Control: without a hold, an unref'd callback never runs; the process just exits.
    name: 'nothing owed: an unref’d callback is lost',
    body: `setTimeout(() => console.log('delivered'), 20).unref();`,
    out: '',
  },
  {
    name: 'one owed: the process waits for the callback, then exits',
    body: `const owed = new OwedCallbacks();
owed.add();
setTimeout(() => { console.log('delivered'); owed.settle(); }, 20).unref();`,
    out: 'delivered\n',
  },
  {
    // Two owed, one settled: still held for the second.
    name: 'two owed: held until both arrive',
    body: `const owed = new OwedCallbacks();
owed.add();
owed.add();
setTimeout(() => { console.log('first'); owed.settle(); }, 10).unref();
setTimeout(() => { console.log('second'); owed.settle(); }, 40).unref();`,
    out: 'first\nsecond\n',
  },
  {
    // clear() (the codec closed) lets go whatever is still owed.
    name: 'clear: nothing more is waited for',
    body: `const owed = new OwedCallbacks();
owed.add();
owed.add();
owed.clear();
setTimeout(() => console.log('delivered'), 20).unref();`,
    out: '',
  },
  {
    // More settles than adds (a picture with two outputs) never goes negative.
    name: 'an extra settle does not leave a debt for the next add',
    body: `const owed = new OwedCallbacks();
owed.settle();
owed.add();
setTimeout(() => { console.log('delivered'); owed.settle(); }, 20).unref();`,
    out: 'delivered\n',
  },
];

for (const c of cases) {
  test(c.name, () => {
    const r = child(c.body);
    assert.is(r.out, c.out);
    assert.is(r.code, 0);
  });
}

test.run();
