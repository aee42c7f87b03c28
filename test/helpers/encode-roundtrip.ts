/**
 * The round trip every encoder backend must pass: raw testsrc2 frames → encode
 * stage → Mp4Muxer → the bundled ffmpeg reads the file back. Registered once
 * per backend by test/encode-webcodecs.test.ts and test/encode-ffmpeg.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodedOf } from '../../src/core/encoded.ts';
import type { Frame } from '../../src/core/frame.ts';
import { Mp4Muxer } from '../../src/sinks/mp4-muxer.ts';
import type { EncodeConfig } from '../../src/stages/encode.ts';
import {
  type Clip,
  context,
  decodeWithFfmpeg,
  encode,
  ffmpegFrameInfo,
  psnr,
  rawClip,
} from './encode.ts';
import { tempDir } from './media.ts';

/** Stated quality floor at the default bitrate (0.1 bit per pixel per frame), luma only. */
export const MIN_PSNR_DB = 30;
export const MIN_MEAN_PSNR_DB = 33;

export interface BackendExpectations {
  readonly encoder: EncodeConfig['encoder'];
  /** What ffmpeg calls the profile of the stream written by default. */
  readonly profileName: string;
  /** Codec string prefix of the default profile (`avc1.PPCC`). */
  readonly codecPrefix: string;
}

async function mux(path: string, frames: Frame[]): Promise<void> {
  const muxer = new Mp4Muxer(path, 40_000);
  for (const f of frames) {
    const encoded = encodedOf(f);
    if (!encoded) throw new Error(`frame ${f.seq} has no packet`);
    await muxer.add(encoded);
  }
  await muxer.finish();
}

/** Luma PSNR of each decoded frame against the original at the same position. */
function lumaPsnr(decoded: Uint8Array[], clip: Clip): number[] {
  const luma = clip.width * clip.height;
  return decoded.map((d, i) => psnr(d.subarray(0, luma), clip.originals[i]!.subarray(0, luma)));
}

/**
 * `fraction` of the file, moved past the end of a moof box if it falls inside
 * one: ffmpeg 4.1 reads every moof while opening a file and gives up on a torn
 * one. A killed writer never leaves one, since mediabunny hands each fragment
 * (moof + mdat) to the file in one write; a torn mdat is what a cut can leave.
 */
export function cutPoint(file: Uint8Array, fraction: number): number {
  const want = Math.floor(file.length * fraction);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let at = 0; at + 8 <= file.length; ) {
    const size = view.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    if (size < 8) break;
    if (want < at + size) return type === 'moof' ? at + size + 8 : want;
    at += size;
  }
  return want;
}

export function roundTripSuite(expect: BackendExpectations) {
  const test = suite(`encode (${expect.encoder})`);
  const { dir, cleanup } = tempDir(`fw-encode-${expect.encoder}-`);
  test.after(cleanup);
  const config = { encoder: expect.encoder };

  test('50 frames in, 50 out in order: same objects, pixels untouched, one packet each', async () => {
    const clip = rawClip({ count: 50 });
    const ctx = context();
    const out = await encode(clip.frames, config, ctx);
    assert.is(out.length, 50);
    out.forEach((f, i) => {
      assert.is(f, clip.frames[i]);
      assert.ok(Buffer.compare(f.data, clip.originals[i]!) === 0, `frame ${i} pixels untouched`);
      const e = encodedOf(f);
      assert.ok(e, `frame ${i} has meta.encoded`);
      assert.is(e.packet.pts, f.pts);
      assert.ok(e.packet.codec.startsWith(expect.codecPrefix), e.packet.codec);
      // keyframeInterval 1 s at 25 fps: frames 0 and 25; each carries the decoder config.
      assert.is(e.packet.key, i % 25 === 0, `frame ${i} key`);
      assert.is(e.decoderConfig !== undefined, e.packet.key);
    });
    const config0 = encodedOf(out[0]!)?.decoderConfig;
    assert.equal([config0?.codedWidth, config0?.codedHeight], [320, 240]);
    assert.equal(ctx.counts, {});
  });

  test(`muxed MP4: ffmpeg decodes every frame at 320x240, luma PSNR > ${MIN_PSNR_DB} dB each, > ${MIN_MEAN_PSNR_DB} dB mean`, async () => {
    const clip = rawClip({ count: 50 });
    const path = join(dir, 'roundtrip.mp4');
    await mux(path, await encode(clip.frames, config));
    const info = await ffmpegFrameInfo(path);
    assert.equal([info.width, info.height], [320, 240]);
    assert.is(info.codec, `h264 (${expect.profileName})`);
    const decoded = await decodeWithFfmpeg(path, 320, 240);
    assert.is(decoded.stderr, '');
    assert.is(decoded.code, 0);
    assert.is(decoded.frames.length, 50);
    const db = lumaPsnr(decoded.frames, clip);
    const mean = db.reduce((a, b) => a + b, 0) / db.length;
    for (const [i, p] of db.entries()) assert.ok(p > MIN_PSNR_DB, `frame ${i}: ${p.toFixed(1)} dB`);
    assert.ok(mean > MIN_MEAN_PSNR_DB, `mean ${mean.toFixed(1)} dB`);
  });

  test("MP4 timestamps equal the frames' pts exactly, variable frame rate included", async () => {
    // Irregular spacing (47, 47, 26 ms, repeating) and a start that is not zero.
    const pts = (i: number) => 500_000 + i * 40_000 + (i % 3) * 7_000;
    const clip = rawClip({ count: 30, pts });
    const path = join(dir, 'vfr.mp4');
    await mux(path, await encode(clip.frames, config));
    const info = await ffmpegFrameInfo(path);
    assert.equal(
      info.pts,
      clip.frames.map((f) => f.pts),
    );
    assert.is(info.keys[0], true);
  });

  test('a copy cut at 60% still decodes its whole fragments (one per GOP)', async () => {
    const clip = rawClip({ count: 100 });
    const path = join(dir, 'whole.mp4');
    const cut = join(dir, 'cut-at-60-percent.mp4');
    await mux(path, await encode(clip.frames, { ...config, keyframeInterval: 0.4 }));
    const whole = readFileSync(path);
    writeFileSync(cut, whole.subarray(0, cutPoint(whole, 0.6)));
    // ffmpeg complains about the torn fragment at the end (and exits 1), but reads the rest.
    const decoded = await decodeWithFfmpeg(cut, 320, 240);
    const n = decoded.frames.length;
    // 10-frame GOPs of similar size: 60% of the bytes hold at least five whole fragments.
    assert.ok(n >= 50 && n < 100, `${n} frames`);
    for (const [i, p] of lumaPsnr(decoded.frames.slice(0, 50), clip).entries())
      assert.ok(p > MIN_PSNR_DB, `frame ${i} is the original frame ${i}: ${p.toFixed(1)} dB`);
  });

  // A stage that needs a second picture before the first comes out would stall a
  // pipeline with maxInFlight: 1; the bound here is one picture inside the encoder.
  for (const latencyMode of ['quality', 'realtime'] as const) {
    test(`${latencyMode}: each picture comes out before the next goes in (queue: 1)`, async () => {
      const run = encode(rawClip({ count: 20 }).frames, { ...config, latencyMode, queue: 1 });
      const stalled = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error('stalled: the encoder holds pictures back')),
          20_000,
        ).unref(),
      );
      const out = await Promise.race([run, stalled]);
      assert.is(out.length, 20);
      assert.ok(out.every((f) => encodedOf(f)));
    });
  }

  test('bitrate: 500 kbit/s asked, within 20% over 4 s', async () => {
    const clip = rawClip({ count: 100 });
    const out = await encode(clip.frames, { ...config, bitrate: 500_000 });
    const bits = out.reduce((n, f) => n + (encodedOf(f)?.packet.data.length ?? 0) * 8, 0);
    const rate = bits / 4;
    assert.ok(Math.abs(rate - 500_000) < 100_000, `${Math.round(rate / 1000)} kbit/s`);
  });

  return test;
}
