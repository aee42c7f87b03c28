// The test runner itself (scripts/run-tests.mjs), run on the misbehaving files in
// test/fixtures/runner/: its final line and exit code must tell the truth.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const runner = new URL('../scripts/run-tests.mjs', import.meta.url).pathname;

interface Run {
  readonly code: number | null;
  readonly out: string;
  /** The last line printed, which `npm test` promises is `N passed, N failed`. */
  readonly last: string;
}

/** Runs the runner on one fixture (by its exact name) and waits for it. */
function runFixture(name: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        runner,
        ...['--dir', 'test/fixtures/runner', '--suffix', '.fixture.ts'],
        `runner/${name}.fixture.ts`,
      ],
      { env: { ...process.env, TEST_CONCURRENCY: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.trimEnd().split('\n');
      resolve({ code, out, last: lines[lines.length - 1] ?? '' });
    });
  });
}

/**
 * Gone, or a zombie: SIGKILL ends a process at once, but its entry stays until
 * whoever inherited it (init) reaps it.
 */
function isDead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state.
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

// Each case: a fixture, the final line expected, and the reason the runner must give.
const cases = [
  // The control: a file that passes is a pass, and the runner exits 0.
  { fixture: 'pass', last: '1 passed, 0 failed', code: 0, reason: undefined },
  // total − passed − skipped would call this 0 failed; uvu's Total has no skips in it.
  {
    fixture: 'pass-skip-fail',
    last: '1 passed, 1 failed',
    code: 1,
    reason: '1 of 2 tests failed',
  },
  // uvu swallows a throwing before hook and exits 0; Total 1, Passed 0 is still a failure.
  { fixture: 'before-throws', last: '0 passed, 1 failed', code: 1, reason: '1 of 1 tests failed' },
  { fixture: 'no-tests', last: '0 passed, 1 failed', code: 1, reason: 'ran no test' },
  { fixture: 'only-skipped', last: '0 passed, 1 failed', code: 1, reason: 'ran no test' },
  // Crashes after a clean report: counted, never rerun.
  {
    fixture: 'segv-after-report',
    last: '1 passed, 1 failed',
    code: 1,
    reason: 'ended by SIGSEGV after its summary',
  },
  {
    fixture: 'exit-after-report',
    last: '1 passed, 1 failed',
    code: 1,
    reason: 'exited with code 3 after its summary',
  },
  // A crash before the report: no summary to read, one failure.
  {
    fixture: 'crash-mid-file',
    last: '0 passed, 1 failed',
    code: 1,
    reason: 'printed no uvu summary',
  },
];

for (const c of cases) {
  test(`${c.fixture}: "${c.last}", exit ${c.code}`, async () => {
    const run = await runFixture(c.fixture);
    assert.is(run.last, c.last, run.out);
    assert.is(run.code, c.code, run.out);
    if (c.reason)
      assert.ok(
        run.out.includes(`FAIL test/fixtures/runner/${c.fixture}.fixture.ts: ${c.reason}`),
        run.out,
      );
    else assert.not.match(run.out, /FAIL/);
    // Skipped tests get a line of their own, just before the final one.
    if (c.fixture === 'pass-skip-fail') assert.match(run.out, /\n1 skipped\n1 passed, 1 failed\n$/);
  });
}

test('a hanging file is killed at the time limit with its child process, and counted', async () => {
  // The limit must leave the fixture time to start (tsx compiles it first, slowly
  // on a loaded machine) and spawn its child; it then hangs until killed.
  const run = await runFixture('hang', { TEST_TIMEOUT_S: '15' });
  assert.is(run.last, '0 passed, 1 failed', run.out);
  assert.is(run.code, 1);
  assert.ok(
    run.out.includes(
      'FAIL test/fixtures/runner/hang.fixture.ts: killed at the time limit of 15 s (TEST_TIMEOUT_S)',
    ),
    run.out,
  );
  const pid = Number(/child pid (\d+)/.exec(run.out)?.[1]);
  assert.ok(pid > 0, `the fixture had not started its child yet:\n${run.out}`);
  assert.ok(isDead(pid), `child ${pid} still runs`);
});

test('no file matching is a failure, not an empty success', async () => {
  const run = await runFixture('does-not-exist');
  assert.is(run.last, '0 passed, 1 failed', run.out);
  assert.is(run.code, 1);
  assert.match(run.out, /FAIL no test file matched/);
});

test('a bad time limit is a usage error (exit 2), not a silent default', async () => {
  const run = await runFixture('pass', { TEST_TIMEOUT_S: 'soon' });
  assert.is(run.code, 2);
  assert.match(run.out, /TEST_TIMEOUT_S must be a positive number, got "soon"/);
});

test.run();
