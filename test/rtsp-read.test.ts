// The rtsp source against GStreamer's RTSP server: each transport and codec path
// delivers the live stream in order, at its size, with the stream's own timestamps.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from './helpers/media.ts';
import { type RtspTestCodec, RtspTestServer } from './helpers/rtsp-server.ts';
import { runRtspToJsonl } from './helpers/rtsp-run.ts';

const test = suite('rtsp source reads a live stream');
const { dir, cleanup } = tempDir('framewire-rtsp-read-');
const servers: RtspTestServer[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  cleanup();
});

/** The server sends 25 fps with a 90 kHz RTP clock: 3600 ticks, exactly 40 000 µs per frame. */
const FRAME_US = 40_000;
const FRAMES = 50;

const cases: {
  name: string;
  codec: RtspTestCodec;
  transport: string;
  emits: string;
  host?: string;
}[] = [
  // H.264 is copied by ffmpeg and decoded in-process by the decode stage.
  { name: 'H.264 over TCP', codec: 'h264', transport: 'tcp', emits: 'packets' },
  // A host name, not an address (resolved by framewire: the static ffmpeg cannot).
  {
    name: 'H.264 from localhost',
    codec: 'h264',
    transport: 'tcp',
    emits: 'packets',
    host: 'localhost',
  },
  { name: 'H.264 over UDP', codec: 'h264', transport: 'udp', emits: 'packets' },
  { name: 'H.264 with transport auto', codec: 'h264', transport: 'auto', emits: 'packets' },
  // H.265 is copied and decoded in-process as well.
  { name: 'H.265 over UDP', codec: 'h265', transport: 'udp', emits: 'packets' },
  // Codecs the decode stage does not take are decoded by ffmpeg into raw frames.
  { name: 'MJPEG over TCP (decoded by ffmpeg)', codec: 'mjpeg', transport: 'tcp', emits: 'frames' },
];

for (const c of cases) {
  test(c.name, async () => {
    const server = await RtspTestServer.start({ codec: c.codec });
    servers.push(server);
    const { frames, stream, meters } = await runRtspToJsonl(
      dir,
      { url: server.url().replace('127.0.0.1', c.host ?? '127.0.0.1'), transport: c.transport },
      FRAMES,
    );
    await server.stop();
    assert.is(stream.emits ?? 'frames', c.emits);
    assert.ok(frames.length >= FRAMES, `${frames.length} frames`);
    // In order and gapless: the connection never dropped.
    assert.equal(
      frames.map((f) => f.seq),
      frames.map((_, i) => i),
    );
    for (const f of frames) {
      assert.is(f.width, 320);
      assert.is(f.height, 240);
    }
    const pts = frames.map((f) => f.pts);
    for (let i = 1; i < pts.length; i++)
      assert.ok(pts[i]! > pts[i - 1]!, `pts ${pts[i - 1]} then ${pts[i]}`);
    // From the stream's clock, not a frame counter: past the first second (where
    // the server's first key frame may step ahead), every step is one 25 fps frame.
    const steady = pts.slice(25);
    const steps = steady.slice(1).map((p, i) => p - steady[i]!);
    assert.equal(
      steps,
      steps.map(() => FRAME_US),
    );
    const source = meters.find((m) => m.kind === 'source')!;
    assert.is(source.events.CONNECTION_LOST ?? 0, 0);
  });
}

test.run();
