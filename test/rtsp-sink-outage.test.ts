// A server outage in the middle of a re-stream, for real: rtsp-server-perl is
// killed while the rtsp sink publishes to it and started again 2 s later on
// the same ports. The sink reports it (health lines, CONNECTION_LOST,
// RECONNECT), discards what arrives meanwhile (counted), and publishes again
// from a key frame; the pipeline never waits for it (every frame of the
// source reaches the other sink); a reader after the restart decodes the
// stream from a key frame. The password in the URL appears in no output.
import { readFileSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from './helpers/media.ts';
import { readRtsp } from './helpers/rtsp-reader.ts';
import { startPerlRtspServer } from './helpers/rtsp-perl-server.ts';
import { startCli } from './helpers/running-cli.ts';

const { dir, cleanup } = tempDir('fw-rtsp-outage-');
test.after(cleanup);

const PASSWORD = 's3cr@t:pw';
const SECONDS = 14;
const RATE = 25;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the server goes away for 2 s: the sink reconnects, the pipeline never stalls, readers resume at a key frame', async () => {
  const server = await startPerlRtspServer();
  try {
    const path = join(dir, 'outage.yaml');
    writeFileSync(
      path,
      `source: { type: testsrc, size: 320x240, rate: ${RATE}, duration: ${SECONDS}, realtime: true }
sinks:
  - type: rtsp
    url: "${server.publishUrl('annotated', `viewer:${PASSWORD}`)}"
    transport: udp
    keyframeInterval: 0.5
    backoff: { initial: 0.2, max: 1 }
  - { type: jsonl, path: out/frames.jsonl }
`,
    );
    const run = startCli(['run', path, '--json-stats', 'out/stats.json'], { cwd: dir });
    await run.waitFor(/sink:rtsp connected/);
    const before = await readRtsp(server.readUrl('annotated'), 1.5);
    assert.ok(
      before.frames.length >= 30,
      `${before.frames.length} frames before:\n${before.stderr}`,
    );

    await server.kill();
    await run.waitFor(/sink:rtsp reconnecting \(attempt 1,/);
    await sleep(2000);
    await server.start();
    await run.waitFor(/sink:rtsp connected/, 2);
    const after = await readRtsp(server.readUrl('annotated'), 2);
    const result = await run.done;

    assert.is(result.code, 0, result.stderr);
    assert.ok(after.frames.length >= 40, `${after.frames.length} frames after:\n${after.stderr}`);
    assert.ok(after.frames[0]!.key, 'the reader after the restart starts at a key frame');
    assert.ok(after.frames.every((f) => f.width === 320 && f.height === 240));

    // Health, in order: lost, then attempts with delays, then connected again.
    assert.match(
      result.stderr,
      /sink:rtsp reconnecting \(attempt 1, in \d+ ms\): rtsp:\/\/\*\*\*@127\.0\.0\.1:\d+\/annotated: the server closed the connection/,
    );
    assert.match(result.stderr, /connection refused/, 'attempts while the server was down');
    const lost = result.stderr.indexOf('reconnecting (attempt 1');
    assert.ok(result.stderr.indexOf('sink:rtsp connected', lost) > lost);

    const stats = readFileSync(join(dir, 'out/stats.json'), 'utf8');
    const meters: {
      name: string;
      framesIn: number;
      framesOut: number;
      events: Record<string, number>;
    }[] = JSON.parse(stats).meters;
    const source = meters.find((m) => m.name === 'source:testsrc')!;
    const sink = meters.find((m) => m.name === 'sink:rtsp')!;
    const jsonl = meters.find((m) => m.name === 'sink:jsonl')!;
    assert.is(source.framesOut, SECONDS * RATE);
    assert.is(sink.framesIn, SECONDS * RATE, 'the rtsp sink was offered every frame');
    assert.is(jsonl.framesOut, SECONDS * RATE, 'the other sink got every frame');
    assert.is(sink.events.CONNECTION_LOST, 1, JSON.stringify(sink.events));
    assert.is(sink.events.RECONNECT, 1, JSON.stringify(sink.events));
    // Two seconds of outage at 25 fps: at least 50 frames had nowhere to go.
    const discarded = (sink.events.NOT_CONNECTED ?? 0) + (sink.events.BEFORE_KEY_FRAME ?? 0);
    assert.ok(discarded >= 50, JSON.stringify(sink.events));
    const lines = readFileSync(join(dir, 'out/frames.jsonl'), 'utf8').trim().split('\n');
    // Frame records, and the sink's health records (`"type":"health"`) between them.
    const records = lines.map((l) => JSON.parse(l) as { type?: string; component?: string });
    assert.is(records.filter((r) => r.type === undefined).length, SECONDS * RATE);
    const health = records.filter((r) => r.type === 'health');
    assert.ok(health.length >= 3, 'connected, reconnecting, connected again');
    assert.ok(health.every((r) => r.component === 'sink:rtsp'));

    for (const text of [result.stdout, result.stderr, stats, lines.join('\n')]) {
      assert.not.ok(text.includes(PASSWORD), 'the password leaked');
      assert.not.ok(text.includes('s3cr'), 'part of the password leaked');
    }
  } finally {
    await server.kill();
  }
});

test.run();
