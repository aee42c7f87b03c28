// An MJPEG IP camera behind a password, through the real CLI: the server goes
// away mid-run and comes back; the run logs redacted reconnects, the JSON lines
// show frames on both sides and health records for the outage, Ctrl-C ends it
// with exit 0, and the password appears in no output at all.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { MediaServer } from './helpers/http-media-server.ts';
import { jsonlLines } from './helpers/jsonl-lines.ts';
import { spawnCli, tempDir } from './helpers/media.ts';

const exec = promisify(execFile);
// '@' and ':' in the password, percent-encoded in the URL as RFC 3986 asks.
const PASSWORD = 'pa:ss@w0rd-42';
const URL_PASSWORD = encodeURIComponent(PASSWORD);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done` holds; a condition that never comes is a failure, not a wait forever. */
async function until(what: string, done: () => boolean, seconds = 60): Promise<void> {
  for (let waited = 0; !done(); waited += 100) {
    if (waited > seconds * 1000) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('an MJPEG camera that goes away and comes back, under framewire run', async () => {
  const { dir, cleanup } = tempDir('framewire-http-cli-');
  const input = ['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10'];
  await exec(ffmpegPath, [
    '-v',
    'error',
    ...input,
    '-frames:v',
    '10',
    '-q:v',
    '5',
    join(dir, 'p%02d.jpg'),
  ]);
  const jpegs = readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
  // Sent as the camera would; the server checks it, decoded, against this.
  const server = new MediaServer({ dir, jpegs, mjpegFps: 10, auth: `admin:${PASSWORD}` });
  await server.start();
  const out = join(dir, 'out.jsonl');
  const stats = join(dir, 'stats.json');
  const pipeline = join(dir, 'camera.yaml');
  writeFileSync(
    pipeline,
    [
      'source:',
      '  type: http',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the pipeline file's ${VAR}
      '  url: ${CAM_URL}',
      '  backoff: { initial: 0.2, max: 0.4 }',
      '  readTimeout: 2',
      'sinks:',
      `  - { type: jsonl, path: ${out} }`,
      '',
    ].join('\n'),
  );
  const proc = spawnCli(['run', pipeline, '--json-stats', stats], {
    env: { CAM_URL: server.url('/mjpeg', `admin:${URL_PASSWORD}`) },
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
  try {
    const frames = () => jsonlLines(out).filter((l) => l.type === undefined);
    await until('frames before the outage', () => frames().length >= 10);
    await server.stop();
    const before = frames().length;
    await sleep(1500);
    await server.start();
    await until('frames after the outage', () => frames().length >= before + 10);
    proc.kill('SIGINT');
    const code = await exited;
    assert.is(code, 0, stderr);

    const all = jsonlLines(out);
    const got = all.filter((l) => l.type === undefined);
    assert.equal(
      got.map((l) => l.seq),
      got.map((_, i) => i),
      'seq is gapless across the outage',
    );
    const health = all.filter((l) => l.type === 'health').map((l) => l.state);
    assert.is(health.filter((s) => s === 'connected').length, 2, JSON.stringify(health));
    assert.ok(health.includes('reconnecting'), JSON.stringify(health));
    assert.match(stderr, /source:http reconnecting \(attempt 1, in \d+ ms\)/);
    assert.match(stderr, /http:\/\/\*\*\*@127\.0\.0\.1:\d+\/mjpeg/);

    const written = [stdout, stderr, readFileSync(out, 'utf8'), readFileSync(stats, 'utf8')];
    for (const text of written) {
      assert.not.ok(text.includes(PASSWORD), 'the password is never shown');
      assert.not.ok(text.includes(URL_PASSWORD), 'nor its encoded form');
      assert.not.ok(text.includes('pa:ss'), 'nor a part of it');
    }
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await exited;
    await server.stop();
    cleanup();
  }
});

test.run();
