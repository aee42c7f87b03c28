// The ffmpeg backend (libx264 in the bundled ffmpeg, AVI-framed output) through
// the common round trip, plus what is particular to it.
import * as assert from 'uvu/assert';
import { FramewireError } from '../src/core/errors.ts';
import { ffmpegEncodeArgs } from '../src/stages/encode-ffmpeg.ts';
import { join } from 'node:path';
import { Mp4Muxer } from '../src/sinks/mp4-muxer.ts';
import { encodedOf } from '../src/core/encoded.ts';
import { context, encode, ffmpegFrameInfo, rawClip } from './helpers/encode.ts';
import { roundTripSuite } from './helpers/encode-roundtrip.ts';
import { tempDir } from './helpers/media.ts';

const test = roundTripSuite({ encoder: 'ffmpeg', profileName: 'High', codecPrefix: 'avc1.6400' });
const { dir, cleanup } = tempDir('fw-encode-ffmpeg-extra-');
test.after(cleanup);

// Each case: a profile asked for and what ffmpeg reports reading back.
const profiles = [
  { profile: 'baseline', name: 'Constrained Baseline', codec: 'avc1.42c0' },
  { profile: 'main', name: 'Main', codec: 'avc1.4d40' },
  { profile: 'high', name: 'High', codec: 'avc1.6400' },
] as const;
for (const c of profiles) {
  test(`profile ${c.profile} is honoured (${c.codec}…)`, async () => {
    const out = await encode(rawClip({ count: 10 }).frames, {
      encoder: 'ffmpeg',
      profile: c.profile,
    });
    assert.ok(
      encodedOf(out[0]!)?.packet.codec.startsWith(c.codec),
      encodedOf(out[0]!)?.packet.codec,
    );
    const path = join(dir, `${c.profile}.mp4`);
    const muxer = new Mp4Muxer(path, 40_000);
    for (const f of out) await muxer.add(encodedOf(f)!);
    await muxer.finish();
    assert.is((await ffmpegFrameInfo(path)).codec, `h264 (${c.name})`);
  });
}

test('both latency modes hold no picture back: no lookahead, no B-frames, frame-by-frame output', () => {
  for (const latencyMode of ['quality', 'realtime'] as const) {
    const args = ffmpegEncodeArgs(
      { profile: 'high', bitrate: 1e6, latencyMode, keyframeInterval: 2 },
      { width: 640, height: 360, fps: 30 },
    ).join(' ');
    assert.match(args, /-bf 0/);
    assert.match(args, /-g 60 -keyint_min 60 -sc_threshold 0/);
    assert.match(args, /-flush_packets 1 -f avi pipe:1/);
    assert.match(args, /-tune zerolatency/);
  }
});

test('crf replaces the bitrate and preset overrides the latency mode (what the file sink passes on)', () => {
  const args = ffmpegEncodeArgs(
    {
      profile: 'high',
      bitrate: 1e6,
      latencyMode: 'quality',
      keyframeInterval: 1,
      crf: 20,
      preset: 'veryfast',
    },
    { width: 640, height: 360, fps: 25 },
  ).join(' ');
  assert.match(args, /-preset veryfast -tune zerolatency/);
  assert.match(args, /-crf 20/);
  assert.not.match(args, /-b:v|-maxrate|-bufsize/);
  assert.match(args, /-g 25 -keyint_min 25/);
});

test('a bad frame rate makes ffmpeg fail: the stage reports it as STAGE_FAILED with its message', async () => {
  const err = await encode(rawClip({ count: 3 }).frames, { encoder: 'ffmpeg' }, context(-1)).catch(
    (e: unknown) => e,
  );
  assert.instance(err, FramewireError);
  assert.is((err as FramewireError).code, 'STAGE_FAILED');
  assert.match(
    (err as Error).message,
    /^stages\[0\] \(encode\): encoding failed: ffmpeg exited with code 1: .*Unable to parse option value "-1" as video rate/,
  );
});

test.run();
