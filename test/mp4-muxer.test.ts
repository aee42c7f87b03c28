// Fragmented MP4 from encoded packets: the H.264 form conversions it relies on,
// fragments reaching the disk while writing (what a killed process leaves),
// exact timestamps read back by mediabunny and ffmpeg, and its refusals.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_FORMATS, EncodedPacketSink, FilePathSource, Input } from 'mediabunny';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  annexBToLengthPrefixed,
  avcConfigurationRecord,
  decoderConfigOf,
  lengthPrefixedToAnnexB,
  nalUnits,
  parseAvcConfigurationRecord,
} from '../src/codec/avc.ts';
import { type EncodedVideo, encodedOf } from '../src/core/encoded.ts';
import { Mp4Muxer } from '../src/sinks/mp4-muxer.ts';
import { decodeWithFfmpeg, encode, ffmpegFrameInfo, rawClip } from './helpers/encode.ts';
import { tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir('fw-mp4-muxer-');
test.after(cleanup);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
/** Parameter sets of real streams: openh264 Constrained Baseline, x264 High (both 64x48). */
const BASELINE = { sps: bytes('6742c00a8c6847201e1108d4'), pps: bytes('68ce3c80') };
const HIGH = { sps: bytes('6764000aacb208f420000003002000000651e244c9'), pps: bytes('68ebccb22c') };
const IDR = bytes('6588801f');

/** 50 frames (2 s at 25 fps) encoded by the in-process encoder, one key frame each `gop` s. */
async function encoded(count = 50, keyframeInterval = 1): Promise<EncodedVideo[]> {
  const out = await encode(rawClip({ count }).frames, { keyframeInterval });
  return out.map((f) => encodedOf(f)!);
}

// Each case: an Annex B access unit and the NAL units found in it.
const splits = [
  {
    name: '4-byte start codes',
    au: `00000001${hex(BASELINE.sps)}00000001${hex(IDR)}`,
    nals: [hex(BASELINE.sps), hex(IDR)],
  },
  {
    name: '3-byte start codes',
    au: `000001${hex(BASELINE.pps)}000001${hex(IDR)}`,
    nals: [hex(BASELINE.pps), hex(IDR)],
  },
  {
    name: 'trailing zero bytes are not part of a NAL unit',
    au: `00000001${hex(IDR)}0000`,
    nals: [hex(IDR)],
  },
  { name: 'an empty access unit', au: '', nals: [] },
];
for (const c of splits) {
  test(`nalUnits: ${c.name}`, () => {
    assert.equal(nalUnits(bytes(c.au)).map(hex), c.nals);
  });
}

test('Annex B → length-prefixed drops delimiters (and parameter sets when asked) and comes back', () => {
  const au = bytes(
    `0000000109f000000001${hex(BASELINE.sps)}00000001${hex(BASELINE.pps)}00000001${hex(IDR)}`,
  );
  assert.is(hex(annexBToLengthPrefixed(au, true)), `00000004${hex(IDR)}`);
  const withSets = annexBToLengthPrefixed(au);
  assert.is(
    hex(withSets),
    `0000000c${hex(BASELINE.sps)}00000004${hex(BASELINE.pps)}00000004${hex(IDR)}`,
  );
  assert.is(
    hex(lengthPrefixedToAnnexB(withSets)),
    `00000001${hex(BASELINE.sps)}00000001${hex(BASELINE.pps)}00000001${hex(IDR)}`,
  );
  assert.throws(() => lengthPrefixedToAnnexB(bytes('00000009aabb')), /runs past the packet/);
});

// Each case: parameter sets and the avcC record ISO/IEC 14496-15 gives for them.
const records = [
  {
    name: 'Constrained Baseline: no chroma/bit-depth tail',
    sets: BASELINE,
    avcc: `0142c00affe1000c${hex(BASELINE.sps)}0100 04${hex(BASELINE.pps)}`,
  },
  {
    name: 'High: chroma 4:2:0 and 8-bit tail, no SPS extensions',
    sets: HIGH,
    avcc: `0164000affe10015${hex(HIGH.sps)}0100 05${hex(HIGH.pps)}fdf8f800`,
  },
];
for (const c of records) {
  test(`avcC: ${c.name}`, () => {
    const record = avcConfigurationRecord([c.sets.sps], [c.sets.pps]);
    assert.is(hex(record), c.avcc.replace(/ /g, ''));
    const parsed = parseAvcConfigurationRecord(record);
    assert.is(parsed.lengthSize, 4);
    assert.equal(parsed.parameterSets.map(hex), [hex(c.sets.sps), hex(c.sets.pps)]);
    const au = lengthPrefixedToAnnexB(
      annexBToLengthPrefixed(bytes(`00000001${hex(IDR)}`)),
      4,
      parsed.parameterSets,
    );
    const config = decoderConfigOf(au);
    assert.is(config?.codec, `avc1.${hex(c.sets.sps.subarray(1, 4))}`);
    assert.equal([config?.codedWidth, config?.codedHeight], [64, 48]);
    assert.is(hex(config!.description), hex(record));
  });
}

test('decoderConfigOf: undefined for an access unit without SPS/PPS', () => {
  assert.is(decoderConfigOf(bytes(`00000001${hex(IDR)}`)), undefined);
});

test('fragments reach the disk while writing: the open file decodes up to the last whole GOP', async () => {
  const packets = await encoded(100, 0.4); // GOPs of 10 frames
  const path = join(dir, 'growing.mp4');
  const muxer = new Mp4Muxer(path, 40_000);
  const seen: number[] = [];
  for (const [i, p] of packets.entries()) {
    await muxer.add(p);
    // The fragment before a key frame is finished when that key frame arrives.
    if (p.packet.key && i >= 30 && i % 30 === 0) {
      let frames = 0;
      for (let tries = 0; tries < 50 && frames < i; tries++) {
        await new Promise((r) => setTimeout(r, 20));
        frames = (await decodeWithFfmpeg(path, 320, 240)).frames.length;
      }
      seen.push(frames);
    }
  }
  assert.equal(seen, [30, 60, 90], 'each time exactly the frames of the finished fragments');
  const before = statSync(path).size;
  await muxer.finish();
  assert.ok(statSync(path).size > before, 'the last fragment is written on finish');
  assert.is((await decodeWithFfmpeg(path, 320, 240)).frames.length, 100);
});

test('timestamps, key flags and codec read back by mediabunny equal what went in', async () => {
  const packets = await encoded(50);
  const path = join(dir, 'readback.mp4');
  const muxer = new Mp4Muxer(path, 40_000);
  for (const p of packets) await muxer.add(p);
  await muxer.finish();
  const input = new Input({ source: new FilePathSource(path), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryVideoTrack();
    assert.ok(track);
    assert.is(await track.getCodecParameterString(), packets[0]!.packet.codec);
    assert.equal([track.codedWidth, track.codedHeight], [320, 240]);
    const back: { pts: number; key: boolean; duration: number }[] = [];
    for await (const p of new EncodedPacketSink(track).packets())
      back.push({
        pts: Math.round(p.timestamp * 1e6),
        key: p.type === 'key',
        duration: Math.round(p.duration * 1e6),
      });
    assert.equal(
      back.map((b) => b.pts),
      packets.map((p) => p.packet.pts),
    );
    assert.equal(
      back.map((b) => b.key),
      packets.map((p) => p.packet.key),
    );
    assert.ok(
      back.every((b) => b.duration === 40_000),
      'each frame lasts until the next; the last keeps the spacing',
    );
  } finally {
    input.dispose();
  }
  const info = await ffmpegFrameInfo(path);
  assert.is(info.codec, 'h264 (Constrained Baseline)');
});

test('delta frames before the first key frame are refused without writing', async () => {
  const packets = await encoded(30);
  const path = join(dir, 'late-start.mp4');
  const muxer = new Mp4Muxer(path, 40_000);
  for (const p of packets.slice(1, 25)) assert.is(await muxer.add(p), false);
  for (const p of packets.slice(25)) assert.is(await muxer.add(p), true);
  await muxer.finish();
  assert.is(muxer.packets, 5);
  const info = await ffmpegFrameInfo(path);
  assert.equal(info.pts, [1_000_000, 1_040_000, 1_080_000, 1_120_000, 1_160_000]);
});

// Each case: a stream the muxer must refuse, and what it says.
const refusals = [
  {
    name: 'a timestamp that does not increase',
    mangle: (p: EncodedVideo[]) => [
      p[0]!,
      p[1]!,
      { ...p[2]!, packet: { ...p[2]!.packet, pts: p[1]!.packet.pts } },
    ],
    message: /timestamps must increase \(40000 after 40000\)/,
  },
  {
    name: 'new parameter sets mid-stream',
    mangle: (p: EncodedVideo[]) => [
      p[0]!,
      {
        ...p[1]!,
        decoderConfig: {
          ...p[0]!.decoderConfig!,
          description: avcConfigurationRecord([HIGH.sps], [HIGH.pps]),
        },
      },
    ],
    message: /the stream changed from avc1\.42c00d 320x240/,
  },
];
for (const c of refusals) {
  test(`refuses ${c.name}`, async () => {
    const muxer = new Mp4Muxer(join(dir, 'refused.mp4'), 40_000);
    const packets = c.mangle(await encoded(3));
    const err = await (async () => {
      for (const p of packets) await muxer.add(p);
    })().catch((e: unknown) => e);
    assert.instance(err, Error);
    assert.match((err as Error).message, c.message);
    await muxer.finish();
  });
}

test('finish: idempotent; with no packet no file is created; add after finish throws', async () => {
  const path = join(dir, 'empty.mp4');
  const muxer = new Mp4Muxer(path, 40_000);
  await muxer.finish();
  await muxer.finish();
  assert.not.ok(existsSync(path));
  const [first] = await encoded(1);
  const err = await muxer.add(first!).catch((e: unknown) => e);
  assert.match(String(err), /muxer already finished/);
});

test.run();
