// Cameras that refuse, or never answer, under the real CLI: each failure is one
// clear message naming the redacted URL, retried by the backoff policy, and the
// process stays responsive to Ctrl-C. No output ever holds the password.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CliProcess } from './helpers/cli-process.ts';
import { tempDir } from './helpers/media.ts';
import { freePort, RtspTestServer, silentServer } from './helpers/rtsp-server.ts';

const { dir, cleanup } = tempDir('framewire-rtsp-failures-');
const USER = 'admin';
const PASSWORD = 'se:cr@t';
const cleanups: (() => Promise<void> | void)[] = [];
test.after(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanup();
});

function pipeline(name: string, source: Record<string, unknown>): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    [
      `name: ${name}`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the pipeline file's own ${VAR}
      `source: ${JSON.stringify({ type: 'rtsp', url: '${CAMERA_URL}', ...source })}`,
      `sinks: [ { type: jsonl, path: ${name}.jsonl } ]`,
    ].join('\n'),
  );
  return path;
}

function run(name: string, source: Record<string, unknown>, url: string): CliProcess {
  const cli = new CliProcess(['run', pipeline(name, source), '--json-stats', `${name}.json`], {
    cwd: dir,
    env: { CAMERA_URL: url },
  });
  cleanups.push(() => cli.kill());
  return cli;
}

interface Retry {
  readonly attempt: number;
  readonly delay: number;
  readonly detail: string;
}

function retries(log: string): Retry[] {
  return [
    ...log.matchAll(/source:rtsp reconnecting \(attempt (\d+), in (\d+) ms\): ([^\r\n]*)/g),
  ].map((m) => ({ attempt: Number(m[1]), delay: Number(m[2]), detail: m[3]! }));
}

/** Every file the runs wrote and everything they printed holds neither form of the password. */
function assertNoPassword(cli: CliProcess, name: string): void {
  const texts = [
    cli.stdout,
    cli.stderr,
    ...readdirSync(dir)
      .filter((f) => f.startsWith(name) && !f.endsWith('.yaml'))
      .map((f) => readFileSync(join(dir, f), 'utf8')),
  ];
  for (const text of texts) {
    assert.not.ok(text.includes(PASSWORD), 'the password leaked');
    assert.not.ok(text.includes(encodeURIComponent(PASSWORD)), 'the encoded password leaked');
  }
}

test('wrong password: "authentication failed" with the redacted URL, maxAttempts attempts in all, then exit 1', async () => {
  const server = await RtspTestServer.start({ user: USER, password: PASSWORD });
  cleanups.push(() => server.stop());
  const label = `rtsp://***@127.0.0.1:${server.port}/test`;
  const cli = run(
    'auth',
    { maxAttempts: 3, backoff: { initial: 0.2, max: 0.4, multiplier: 2 } },
    server.url({ user: USER, password: 'wrong:p@ss' }),
  );
  const exit = await cli.exited;
  assert.is(exit.code, 1, cli.stderr);
  const expected = `authentication failed for ${label} (401 Unauthorized)`;
  // maxAttempts connections in all: the first, then two retries (within their bounds
  // 200 and 400 ms); the third failure in a row uses them up.
  const seen = retries(cli.stderr);
  assert.equal(
    seen.map((r) => r.attempt),
    [1, 2],
  );
  assert.is(cli.stderr.match(/source:rtsp connecting/g)?.length, 3);
  for (const r of seen) {
    assert.is(r.detail, expected);
    assert.ok(r.delay <= Math.min(400, 200 * 2 ** (r.attempt - 1)), JSON.stringify(r));
  }
  assert.match(cli.stderr, /source:rtsp failed \(attempt 3\)/);
  assert.ok(cli.stderr.includes(`gave up after 3 failed attempts: ${expected}`), cli.stderr);
  assert.match(cli.stderr, /percent-encode/);
  assert.not.match(cli.stderr, /\n\s+at /, 'no stack trace');
  const stats = JSON.parse(readFileSync(join(dir, 'auth.json'), 'utf8'));
  assert.ok(JSON.stringify(stats).includes('authentication failed'), 'the stats carry the error');
  assertNoPassword(cli, 'auth');
  // The real password works against the same server (the 401 was about the password).
  const ok = run('auth-ok', {}, server.url({ user: USER, password: PASSWORD }));
  const okJsonl = join(dir, 'auth-ok.jsonl');
  await ok.until(
    'frames',
    () => existsSync(okJsonl) && readFileSync(okJsonl, 'utf8').includes('"seq":5,'),
    60,
  );
  ok.signal('SIGINT');
  assert.is((await ok.exited).code, 0, ok.stderr);
  assertNoPassword(ok, 'auth-ok');
});

test('a port nothing listens on: "connection refused", retried until maxAttempts', async () => {
  const port = await freePort();
  const cli = run(
    'refused',
    { maxAttempts: 2, backoff: { initial: 0.1, max: 0.1 } },
    `rtsp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/live`,
  );
  const exit = await cli.exited;
  assert.is(exit.code, 1, cli.stderr);
  const refused = `connection refused by rtsp://***@127.0.0.1:${port}/live (nothing listens on that host and port)`;
  // Two attempts in all: the first and one retry.
  assert.equal(
    retries(cli.stderr).map((r) => r.detail),
    [refused],
  );
  assert.ok(cli.stderr.includes(`gave up after 2 failed attempts: ${refused}`), cli.stderr);
  assertNoPassword(cli, 'refused');
});

test('a server that never answers: delays grow to max, and SIGINT while connecting exits cleanly', async () => {
  const silent = await silentServer();
  cleanups.push(() => silent.close());
  const backoff = { initial: 0.1, max: 0.4, multiplier: 2 };
  const bound = (n: number) => Math.min(backoff.max, backoff.initial * 2 ** (n - 1)) * 1000;
  const cli = run(
    'silent',
    { readTimeout: 0.5, connectTimeout: 5, backoff },
    `rtsp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${silent.port}/cam`,
  );
  // Attempt 4 is the first whose bound is max (100, 200, 400, 400 ms): the schedule reached its cap.
  await cli.until('five attempts', () => retries(cli.stderr).length >= 5, 90);
  cli.signal('SIGINT');
  const exit = await cli.exited;
  // Stopped while connecting: nothing was written yet, nothing is lost, a clean exit.
  assert.is(exit.code, 0, cli.stderr);
  const seen = retries(cli.stderr);
  assert.equal(
    seen.map((r) => r.attempt),
    seen.map((_, i) => i + 1),
  );
  for (const r of seen) {
    assert.ok(r.delay <= bound(r.attempt), JSON.stringify(r));
    assert.ok(
      r.detail.startsWith(
        `no RTSP answer from rtsp://***@127.0.0.1:${silent.port}/cam within 0.5 s`,
      ),
      r.detail,
    );
  }
  assert.equal(
    seen.slice(0, 5).map((r) => bound(r.attempt)),
    [100, 200, 400, 400, 400],
  );
  assert.not.match(cli.stderr, /\n\s+at /, 'no stack trace');
  assertNoPassword(cli, 'silent');
});

test.run();
