// A camera that goes away and comes back, three times, under the real CLI: the
// run keeps going, says what happens (redacted), and its outputs stay whole.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { CliProcess } from './helpers/cli-process.ts';
import { tempDir } from './helpers/media.ts';
import { readJsonl } from './helpers/rtsp-run.ts';
import { RtspTestServer } from './helpers/rtsp-server.ts';

const { dir, cleanup } = tempDir('framewire-rtsp-outage-');
// A password with the characters that break naive URL handling; percent-encoded in the URL.
const USER = 'viewer';
const PASSWORD = 'p@ss:w0rd';
let server: RtspTestServer | undefined;
let cli: CliProcess | undefined;
test.after(async () => {
  cli?.kill();
  await server?.stop();
  cleanup();
});

const BACKOFF = { initial: 0.4, max: 1.6, multiplier: 2 };
/** The bound of attempt n's delay, in ms: min(max, initial · multiplier^(n-1)). */
const boundMs = (n: number) =>
  Math.min(BACKOFF.max, BACKOFF.initial * BACKOFF.multiplier ** (n - 1)) * 1000;
const OUTAGES = 3;
const OUTAGE_MS = 3000;

test('three outages: redacted reconnects within the backoff, frames after each, a playable MP4, exit 0', async () => {
  server = await RtspTestServer.start({ user: USER, password: PASSWORD });
  const pipeline = join(dir, 'camera.yaml');
  writeFileSync(
    pipeline,
    [
      'name: outage',
      'source:',
      '  type: rtsp',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the pipeline file's own ${VAR}
      '  url: ${CAMERA_URL}',
      `  backoff: ${JSON.stringify(BACKOFF)}`,
      '  stallSeconds: 3',
      '  readTimeout: 2',
      'sinks:',
      '  - { type: file, path: out.mp4 }',
      '  - { type: jsonl, path: out.jsonl }',
    ].join('\n'),
  );
  const jsonl = join(dir, 'out.jsonl');
  const frameCount = () => {
    try {
      return readJsonl(jsonl).filter((r) => typeof r.seq === 'number').length;
    } catch {
      return 0;
    }
  };
  cli = new CliProcess(['run', pipeline, '--json-stats', 'stats.json'], {
    cwd: dir,
    env: { CAMERA_URL: server.url({ user: USER, password: PASSWORD }) },
  });
  await cli.until('the first frames', () => frameCount() >= 25, 60);
  /** Frames written before each outage began. */
  const stoppedAt: number[] = [];
  for (let i = 0; i < OUTAGES; i++) {
    stoppedAt.push(frameCount());
    await server.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const before = frameCount();
    await server.start();
    await cli.until(`frames after restart ${i + 1}`, () => frameCount() >= before + 25, 60);
  }
  cli.signal('SIGINT');
  const exit = await cli.exited;
  assert.is(exit.code, 0, cli.stderr);

  // The JSON lines: increasing seq and pts, and one gap of about an outage per restart.
  const records = readJsonl(jsonl);
  const frames = records.filter((r) => typeof r.seq === 'number') as { seq: number; pts: number }[];
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
  const source = stats.meters.find((m: { name: string }) => m.name === 'source:rtsp');
  // seq numbers the camera's frames across connections; the ones missing here are the
  // live queue's drops (a busy start-up), counted on the source (a few more may have
  // been queued when the run stopped).
  for (let i = 1; i < frames.length; i++) assert.ok(frames[i]!.seq > frames[i - 1]!.seq);
  const missing = frames.at(-1)!.seq + 1 - frames.length;
  assert.ok(
    missing <= source.dropped && missing >= source.dropped - 4,
    `${missing} missing, ${source.dropped} dropped`,
  );
  const gaps: number[] = [];
  for (let i = 1; i < frames.length; i++) {
    const step = frames[i]!.pts - frames[i - 1]!.pts;
    assert.ok(step > 0, `pts ${frames[i - 1]!.pts} then ${frames[i]!.pts}`);
    if (step > 1_000_000) gaps.push(i);
  }
  assert.is(gaps.length, OUTAGES, `gaps at frames ${gaps}`);
  for (const [i, at] of gaps.entries()) {
    // Outage i's gap lies after the frames written before it, and frames follow it.
    assert.ok(at >= stoppedAt[i]!, `gap ${i} at frame ${at}, outage began after ${stoppedAt[i]}`);
    const next = gaps[i + 1] ?? frames.length;
    assert.ok(next - at >= 25, `${next - at} frames after restart ${i + 1}`);
    const gapUs = frames[at]!.pts - frames[at - 1]!.pts;
    assert.ok(gapUs >= OUTAGE_MS * 1000, `the pts gap (${gapUs} µs) shows the outage`);
  }
  // Health records in the JSON lines, beside the frames: connected at the start, then per
  // outage reconnecting (attempt 1 first) and connected again, all redacted.
  const health = records.filter((r) => r.type === 'health') as {
    component: string;
    state: string;
    attempt?: number;
    detail?: string;
  }[];
  for (const h of health) assert.is(h.component, 'source:rtsp');
  const states = health.map((h) => h.state);
  assert.is(states.filter((s) => s === 'connected').length, OUTAGES + 1, String(states));
  const firstRetries = health.filter((h) => h.state === 'reconnecting' && h.attempt === 1);
  assert.is(firstRetries.length, OUTAGES, String(states));
  // Health records come in order with the frames: one outage's records lie before its gap's first frame.
  const frameIndexOf = (record: object) =>
    records
      .slice(0, records.indexOf(record as Record<string, unknown>))
      .filter((r) => typeof r.seq === 'number').length;
  for (const [i, retry] of firstRetries.entries())
    assert.ok(
      frameIndexOf(retry) <= gaps[i]!,
      `outage ${i + 1}'s first retry is recorded before its first new frame`,
    );

  // The log: per outage, attempts 1, 2, … with each delay within its bound, then connected.
  const log = cli.stderr;
  const lines = log.split(/\r?\n|\r/);
  const label = `rtsp://***@127.0.0.1:${server.port}/test`;
  const outages: { attempt: number; delay: number }[][] = [];
  let current: { attempt: number; delay: number }[] | undefined;
  for (const line of lines) {
    const m = /source:rtsp reconnecting \(attempt (\d+), in (\d+) ms\): (.*)/.exec(line);
    if (m) {
      assert.ok(m[3]!.includes(label) || m[3]!.includes('no frame'), line);
      current ??= [];
      current.push({ attempt: Number(m[1]), delay: Number(m[2]) });
    } else if (/source:rtsp connected/.test(line) && current) {
      outages.push(current);
      current = undefined;
    }
  }
  assert.is(outages.length, OUTAGES, log);
  for (const attempts of outages) {
    assert.equal(
      attempts.map((a) => a.attempt),
      attempts.map((_, i) => i + 1),
      'each outage starts again at attempt 1',
    );
    // A 3 s outage outlasts the first bounds (0.4 + 0.8 s at most), so the delays reach the larger ones.
    assert.ok(attempts.length >= 3, JSON.stringify(attempts));
    for (const a of attempts) assert.ok(a.delay <= boundMs(a.attempt), JSON.stringify(a));
  }
  assert.ok(log.includes(label), 'the log names the redacted URL');

  // The stats count each loss and each reconnect.
  assert.is(source.events.CONNECTION_LOST, OUTAGES);
  assert.is(source.events.RECONNECT, OUTAGES);

  // The MP4 plays through: ffmpeg decodes every frame the sinks were given.
  // (-vsync 0: each decoded picture once; a constant-rate output would fill the gaps with copies.)
  const decoded = spawnSync(
    ffmpegPath,
    ['-v', 'error', '-i', join(dir, 'out.mp4'), '-vsync', '0', '-f', 'framecrc', '-'],
    { encoding: 'utf8' },
  );
  assert.is(decoded.status, 0, decoded.stderr);
  assert.is(decoded.stderr, '');
  const pictures = decoded.stdout.split('\n').filter((l) => /^0,/.test(l));
  assert.is(pictures.length, frames.length);
  assert.ok(decoded.stdout.includes('#dimensions 0: 320x240'));

  // The password never appears anywhere: not as typed, not percent-encoded.
  const outputs = [
    cli.stdout,
    cli.stderr,
    ...readdirSync(dir)
      .filter((f) => /\.(json|jsonl)$/.test(f))
      .map((f) => readFileSync(join(dir, f), 'utf8')),
  ];
  for (const text of outputs) {
    assert.not.ok(text.includes(PASSWORD), 'the password leaked');
    assert.not.ok(text.includes(encodeURIComponent(PASSWORD)), 'the encoded password leaked');
    assert.not.ok(text.includes(`${USER}:`), 'the user:password pair leaked');
  }
});

test.run();
