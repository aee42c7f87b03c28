// HEVC packets for the in-process decoder: the SPS gives the size (conformance
// window applied) and the WebCodecs codec string, checked against what ffmpeg's
// own trace_headers reads from the same stream.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { openPacketReader } from '../src/sources/packet-reader.ts';
import { tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir('framewire-hevc-');
test.after(cleanup);

/** An HEVC file whose size is not a multiple of the 8-pixel coding unit: the SPS crops it. */
function hevcFile(name: string, size: string, frames: number): string {
  const path = join(dir, name);
  execFileSync(ffmpegPath, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`],
    ...['-frames:v', String(frames), '-c:v', 'libx265', '-x265-params', 'log-level=error'],
    ...['-pix_fmt', 'yuv420p', path],
  ]);
  return path;
}

/** The codec string ISO/IEC 14496-15 builds from the first SPS's fields, as ffmpeg's trace_headers prints them. */
function codecStringFromTrace(path: string): string {
  const { stderr } = spawnSync(
    ffmpegPath,
    ['-hide_banner', '-i', path, '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'],
    { encoding: 'utf8' },
  );
  const sps = stderr.slice(stderr.indexOf('Sequence Parameter Set'));
  const field = (name: string) => {
    const m = new RegExp(`\\s${name.replace(/[[\]]/g, '\\$&')}\\s+[01]+ = (\\d+)`).exec(sps);
    if (!m) throw new Error(`trace_headers printed no ${name}`);
    return Number(m[1]);
  };
  let compat = 0;
  for (let j = 0; j < 32; j++) compat += field(`general_profile_compatibility_flag[${j}]`) * 2 ** j;
  const flags = [
    'general_progressive_source_flag',
    'general_interlaced_source_flag',
    'general_non_packed_constraint_flag',
    'general_frame_only_constraint_flag',
  ].map(field);
  const firstByte = flags.reduce((b, f, i) => b | (f << (7 - i)), 0);
  const tier = field('general_tier_flag') ? 'H' : 'L';
  return `hev1.${field('general_profile_idc')}.${compat.toString(16).toUpperCase()}.${tier}${field('general_level_idc')}.${firstByte.toString(16).toUpperCase()}`;
}

test('an HEVC file read as packets: size, codec string, key frame, every packet with its timestamps', async () => {
  const path = hevcFile('odd.mp4', '202x118', 12);
  const reader = openPacketReader({ inputArgs: ['-i', path], codec: 'hevc' });
  try {
    const info = await reader.open();
    assert.is(info.width, 202);
    assert.is(info.height, 118);
    assert.is(info.chromaFormat, 1);
    assert.is(info.bitDepth, 8);
    assert.is(info.codec, codecStringFromTrace(path));
    const packets = [];
    for (let p = await reader.next(); p; p = await reader.next()) packets.push(p);
    assert.is(packets.length, 12);
    assert.ok(packets[0]!.key, 'starts at a key frame');
    assert.equal(
      packets.map((p) => p.pts).sort((a, b) => a - b),
      packets.map((_, k) => k * 40_000),
    );
  } finally {
    await reader.close();
  }
});

test('an H.264 reader given HEVC says which codec it is (so the rtsp source can switch)', async () => {
  const path = hevcFile('other.mp4', '160x120', 3);
  const reader = openPacketReader({ inputArgs: ['-i', path] });
  const err = await reader.open().catch((e: Error) => e);
  await reader.close();
  assert.match(
    (err as Error).message,
    / is hevc video; compressed-packet output supports H\.264 only/,
  );
});

test.run();
