/**
 * Credentials in URLs never reach the user's terminal or files: `redactUrl` on its
 * own, then a real `framewire run` whose file source is a URL with an awkward
 * password on a closed loopback port (ffmpeg fails fast, quoting the URL), with
 * stdout, stderr and the `--json-stats` file all searched for the password.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FramewireError, redactDeep, redactUrl } from '../src/core/errors.ts';
import { lastLines } from '../src/core/ffmpeg.ts';
import { stderrLogger } from '../src/core/log.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-redact-'));

test('redactUrl hides the whole userinfo, whatever the password holds', () => {
  const cases: [string, string][] = [
    // Plain user:password.
    ['rtsp://admin:secret@cam.local:554/stream', 'rtsp://***@cam.local:554/stream'],
    // `@`, `:` and `/` typed unescaped inside the password: up to the last `@`.
    ['rtsp://admin:p@ss:w/rd@cam.local:554/stream', 'rtsp://***@cam.local:554/stream'],
    // Percent-encoded `@`.
    ['http://user:p%40ss@10.0.0.2/v.mp4', 'http://***@10.0.0.2/v.mp4'],
    // Unicode, including a no-break space (only ASCII whitespace ends a URL).
    ['rtsp://u:pä\u00a0ß密码@h/x', 'rtsp://***@h/x'],
    // A user name alone (an access token) is a credential too.
    ['rtsps://token123@h/x', 'rtsps://***@h/x'],
    // A URL mistaken for a path, `rtsp://` collapsed to `rtsp:/` by path.resolve.
    ['/work/rtsp:/user:pw@h/x: No such file', '/work/rtsp:/***@h/x: No such file'],
    // Two URLs on one line, each redacted, the text between them kept.
    ['a rtsp://u:p@h/x and http://v:q@g/y.', 'a rtsp://***@h/x and http://***@g/y.'],
    // No credentials, nothing changes (ffmpeg's `[tcp @ 0x…]` prefixes included).
    [
      '[tcp @ 0x55d0] Connection to tcp://127.0.0.1:1?timeout=0 failed',
      '[tcp @ 0x55d0] Connection to tcp://127.0.0.1:1?timeout=0 failed',
    ],
    // Already redacted: idempotent.
    ['rtsp://***@h/x', 'rtsp://***@h/x'],
  ];
  for (const [text, want] of cases) assert.is(redactUrl(text), want, text);
});

test('errors, ffmpeg tails, log lines and stats objects are redacted where they are made', () => {
  const err = new FramewireError('SOURCE_OPEN', 'cannot open rtsp://a:p@ss@h/x', {
    hint: 'try rtsp://a:p@ss@h/y',
  });
  assert.is(err.message, 'cannot open rtsp://***@h/x');
  assert.is(err.hint, 'try rtsp://***@h/y');
  assert.is(
    lastLines('x\nrtsp://a:b@h/x: Connection refused\n'),
    'x | rtsp://***@h/x: Connection refused',
  );
  assert.equal(redactDeep({ 'source rtsp://a:b@h': ['http://c:d@g/v', 1, null] }), {
    'source rtsp://***@h': ['http://***@g/v', 1, null],
  });
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => {
    written.push(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    stderrLogger.warn('reconnecting to rtsp://a:s3cret@h/x');
    stderrLogger.info('opened rtsp://a:s3cret@h/x');
  } finally {
    process.stderr.write = write;
  }
  assert.equal(written, ['warning: reconnecting to rtsp://***@h/x\n', 'opened rtsp://***@h/x\n']);
});

/** Awkward passwords, each with the URL it is tried in (port 1 on loopback is closed). */
const PASSWORDS: [string, string][] = [
  // `@` unescaped, RTSP as cameras are usually configured.
  ['p@ss', 'rtsp://admin:p@ss@127.0.0.1:1/x'],
  // `:` unescaped, over HTTP.
  ['pa:ss', 'http://user:pa:ss@127.0.0.1:1/v.mp4'],
  // `/` unescaped (ffmpeg then misparses the authority).
  ['p/ss', 'rtsp://user:p/ss@127.0.0.1:1/x'],
  // All three at once, the brief's example.
  ['p@ss:w/rd', 'rtsp://admin:p@ss:w/rd@127.0.0.1:1/stream'],
  // Percent-encoded `@`: neither the encoded nor the decoded form may appear.
  ['p%40ss', 'rtsp://user:p%40ss@127.0.0.1:1/x'],
  // Unicode.
  ['pässwörd密码', 'http://u:pässwörd密码@127.0.0.1:1/v.mp4'],
];

/** The pipeline, its stdout, stderr and stats file, with the URL given through ${URL}. */
function runWith(url: string, stats: string): Promise<{ code: number | null; out: string }> {
  const pipeline = join(dir, 'pipeline.yaml');
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'run', pipeline, '--json-stats', stats],
      { env: { ...process.env, URL: url } },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('framewire run with a credentialed source URL prints and stores no password', async () => {
  writeFileSync(
    join(dir, 'pipeline.yaml'),
    `name: creds\nsource:\n  type: file\n  path: \${URL}\nstages: []\nsinks:\n  - type: jsonl\n    path: ${join(dir, 'out.jsonl')}\n`,
  );
  // Two at a time: each run is a node process and an ffmpeg.
  for (let i = 0; i < PASSWORDS.length; i += 2) {
    await Promise.all(
      PASSWORDS.slice(i, i + 2).map(async ([password, url], k) => {
        const statsFile = join(dir, `stats-${i + k}.json`);
        const r = await runWith(url, statsFile);
        const stats = readFileSync(statsFile, 'utf8');
        const everything = `${r.out}\n${stats}`;
        assert.is(r.code, 1, r.out);
        // The failure was reported, quoting the (redacted) URL, in both places.
        assert.match(
          r.out,
          /framewire: source \(file\): cannot read video file "(rtsp|http):\/\/\*\*\*@127\.0\.0\.1:1\//,
        );
        const parsed = JSON.parse(stats) as {
          reason: string;
          error: { code: string; message: string };
        };
        assert.is(parsed.reason, 'failed');
        assert.is(parsed.error.code, 'SOURCE_OPEN');
        assert.match(parsed.error.message, /:\/\/\*\*\*@127\.0\.0\.1:1\//);
        for (const secret of new Set([password, decodeURIComponent(password)])) {
          assert.not.ok(everything.includes(secret), `"${secret}" leaked:\n${everything}`);
        }
      }),
    );
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
