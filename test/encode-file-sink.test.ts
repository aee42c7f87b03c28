// The file sink given frames that carry meta.encoded: packets are muxed as they
// are (no re-encoding), frames without one are counted, failures are SINK_WRITE.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodedOf } from '../src/core/encoded.ts';
import { FramewireError } from '../src/core/errors.ts';
import { fileSink } from '../src/sinks/file.ts';
import {
  context,
  decodeWithFfmpeg,
  encode,
  ffmpegFrameInfo,
  psnr,
  rawClip,
} from './helpers/encode.ts';
import { tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir('fw-encode-file-sink-');
test.after(cleanup);

const sinkConfig = (path: string) => ({
  path,
  crf: 23,
  preset: 'veryfast' as const,
  keyframeInterval: 1,
});

function sinkContext() {
  return { ...context(), name: 'sinks[0] (file)', baseDir: dir };
}

test('encoded frames are muxed without re-encoding: same packets, same pixels as the encoder made', async () => {
  const clip = rawClip({ count: 30 });
  const frames = await encode(clip.frames, { bitrate: 300_000 });
  const ctx = sinkContext();
  const sink = await fileSink.create(sinkConfig('muxed.mp4'), ctx);
  for (const f of frames) await sink.write(f);
  await sink.close();
  const path = join(dir, 'muxed.mp4');
  const info = await ffmpegFrameInfo(path);
  assert.equal(
    info.pts,
    frames.map((f) => f.pts),
  );
  // The crf/preset options were not applied: the stream is the encoder's (openh264 baseline).
  assert.is(info.codec, 'h264 (Constrained Baseline)');
  const decoded = await decodeWithFfmpeg(path, 320, 240);
  assert.is(decoded.frames.length, 30);
  for (const [i, d] of decoded.frames.entries()) {
    const p = psnr(d.subarray(0, 320 * 240), clip.originals[i]!.subarray(0, 320 * 240));
    assert.ok(p > 30, `frame ${i}: ${p.toFixed(1)} dB`);
  }
  assert.equal(ctx.counts, {});
});

test('a frame without a packet (the encoder skipped it) is counted and left out', async () => {
  const frames = await encode(rawClip({ count: 10 }).frames, {});
  delete frames[4]!.meta.encoded;
  const ctx = sinkContext();
  const sink = await fileSink.create(sinkConfig('skipped.mp4'), ctx);
  for (const f of frames) await sink.write(f);
  await sink.close();
  assert.equal(ctx.counts, { FRAME_UNENCODED: 1 });
  const info = await ffmpegFrameInfo(join(dir, 'skipped.mp4'));
  assert.equal(
    info.pts,
    frames.filter((f) => encodedOf(f)).map((f) => f.pts),
  );
});

test('a path that cannot be written fails with SINK_WRITE naming the file', async () => {
  mkdirSync(join(dir, 'taken.mp4'));
  const frames = await encode(rawClip({ count: 3 }).frames, {});
  const sink = await fileSink.create(sinkConfig('taken.mp4'), sinkContext());
  const err = await (async () => {
    for (const f of frames) await sink.write(f);
    await sink.close();
  })().catch((e: unknown) => e);
  assert.instance(err, FramewireError);
  assert.is((err as FramewireError).code, 'SINK_WRITE');
  assert.match((err as Error).message, /writing "taken\.mp4" failed/);
});

test.run();
