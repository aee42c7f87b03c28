// The rtsp sink's transports against GStreamer's RTSP server in RECORD mode,
// told which transport to accept: the default, tcp, reaches a TCP-only server
// and what it recorded decodes (the bundled ffmpeg) to the published size and
// about the published number of frames; udp to that server is refused with
// the server's own reason, and maxAttempts: 1 makes that the end of the run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startRecordServer } from './helpers/gst-rtsp-record-server.ts';
import { decodeVideo, tempDir } from './helpers/media.ts';
import { startCli } from './helpers/running-cli.ts';

const { dir, cleanup } = tempDir('fw-rtsp-transport-');
test.after(cleanup);

const PASSWORD = 'tr@ns:p0rt';

test('transport tcp (the default) publishes to a TCP-only server; what it recorded decodes', async () => {
  const recorded = join(dir, 'tcp.h264');
  const server = await startRecordServer(recorded, 'tcp');
  try {
    const p = join(dir, 'tcp.yaml');
    writeFileSync(
      p,
      `source: { type: testsrc, size: 320x240, rate: 25, duration: 4, realtime: true }
sinks:
  - { type: rtsp, url: "${server.url(`pub:${PASSWORD}`)}" }
`,
    );
    const run = startCli(['run', p, '--json-stats', 'tcp.json'], { cwd: dir, boundMs: 60_000 });
    const result = await run.done;
    assert.is(result.code, 0, result.stderr);
    assert.match(result.stderr, /sink:rtsp connected/);
    assert.not.match(result.stderr, /reconnecting/);
    assert.ok(existsSync(recorded), 'the server recorded the stream');
    const video = await decodeVideo(recorded);
    assert.is(video.width, 320);
    assert.is(video.height, 240);
    // 100 frames were published; the server may miss the first while it
    // prepares its media, never more than a second of them.
    assert.ok(video.frames >= 75 && video.frames <= 100, `${video.frames} frames recorded`);
    const stats = JSON.parse(readFileSync(join(dir, 'tcp.json'), 'utf8'));
    const sink = stats.meters.find((m: { name: string }) => m.name === 'sink:rtsp');
    assert.is(sink.framesOut, 100);
    assert.not.ok(result.stderr.includes(PASSWORD) || result.stdout.includes(PASSWORD));
  } finally {
    await server.stop();
  }
});

test('transport udp to a TCP-only server: the server’s refusal, and maxAttempts: 1 ends the run', async () => {
  const server = await startRecordServer(join(dir, 'udp.h264'), 'tcp');
  try {
    const p = join(dir, 'udp.yaml');
    writeFileSync(
      p,
      `source: { type: testsrc, size: 320x240, rate: 25, duration: 20, realtime: true }
sinks:
  - { type: rtsp, url: "${server.url(`pub:${PASSWORD}`)}", transport: udp, maxAttempts: 1 }
`,
    );
    const run = startCli(['run', p, '--quiet'], { cwd: dir, boundMs: 60_000 });
    const result = await run.done;
    assert.not.ok(result.hung);
    assert.is(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /cannot publish to rtsp:\/\/\*\*\*@127\.0\.0\.1:\d+\/record: the server does not accept this transport \(461\); try the other one \(1 attempt in a row\)/,
    );
    assert.not.ok(result.stderr.includes(PASSWORD) || result.stdout.includes(PASSWORD));
  } finally {
    await server.stop();
  }
});

test.run();
