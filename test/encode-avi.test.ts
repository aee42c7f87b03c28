// The AVI chunk splitter behind the ffmpeg encoder: whatever the chunking of the
// pipe, the same packets come out, each complete the moment its bytes are in,
// still in x264's own Annex B with SPS/PPS before every key frame.
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nalUnits } from '../src/codec/avc.ts';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { AviVideoParser } from '../src/stages/avi-video-parser.ts';

/** 12 frames of x264 in AVI, key frame every 5, as the encoder's ffmpeg writes them to a pipe. */
const avi = execFileSync(ffmpegPath, [
  ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=25', '-frames:v', '12'],
  ...['-c:v', 'libx264', '-g', '5', '-bf', '0', '-flush_packets', '1', '-f', 'avi', 'pipe:1'],
]);

function parseInChunks(size: number): Uint8Array[] {
  const parser = new AviVideoParser();
  const packets: Uint8Array[] = [];
  for (let at = 0; at < avi.length; at += size)
    packets.push(...parser.push(avi.subarray(at, at + size)));
  assert.is(parser.pending, 0, 'nothing left over at the end');
  return packets;
}

const whole = parseInChunks(avi.length);
const types = (au: Uint8Array) => nalUnits(au).map((n) => (n[0] ?? 0) & 0x1f);

test('one packet per frame, Annex B, SPS and PPS in band before each IDR (every 5th)', () => {
  assert.is(whole.length, 12);
  whole.forEach((au, i) => {
    assert.equal([...au.subarray(0, 3)], [0, 0, 0], `packet ${i} starts with a start code`);
    const t = types(au);
    const key = i % 5 === 0;
    assert.is(t.includes(5), key, `packet ${i}: IDR slice`);
    assert.is(t.includes(7) && t.includes(8), key, `packet ${i}: SPS and PPS`);
  });
});

// Each case: a chunk size; 1 byte splits every field, 4096 is a typical pipe read.
for (const size of [1, 3, 7, 13, 4096]) {
  test(`chunks of ${size} byte(s) give the same packets`, () => {
    const packets = parseInChunks(size);
    assert.is(packets.length, whole.length);
    for (const [i, p] of packets.entries()) {
      assert.ok(Buffer.compare(p, whole[i]!) === 0, `packet ${i}`);
    }
  });
}

test('a packet is delivered as soon as its chunk is in, before the next chunk starts', () => {
  const at = avi.indexOf('00dc', 0, 'latin1');
  const end = at + 8 + avi.readUInt32LE(at + 4);
  const parser = new AviVideoParser();
  assert.is(parser.push(avi.subarray(0, end - 1)).length, 0);
  assert.is(parser.push(avi.subarray(end - 1, end)).length, 1);
});

test('rejects what is not AVI', () => {
  assert.throws(
    () => new AviVideoParser().push(Buffer.from('FLV\x01\x01\0\0\0\x09')),
    /not an AVI/,
  );
});

test.run();
