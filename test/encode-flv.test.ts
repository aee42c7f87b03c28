// The FLV tag splitter behind the ffmpeg encoder: whatever the chunking of the
// pipe, the same tags come out, each complete the moment its bytes are in.
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { type FlvVideoTag, FlvVideoParser } from '../src/stages/flv-video-parser.ts';

/** 12 frames of x264 in FLV, key frame every 5, as the encoder's ffmpeg writes them. */
const flv = execFileSync(ffmpegPath, [
  ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=25', '-frames:v', '12'],
  ...['-c:v', 'libx264', '-g', '5', '-bf', '0', '-f', 'flv', 'pipe:1'],
]);

function parseInChunks(size: number): FlvVideoTag[] {
  const parser = new FlvVideoParser();
  const tags: FlvVideoTag[] = [];
  for (let at = 0; at < flv.length; at += size)
    tags.push(...parser.push(flv.subarray(at, at + size)));
  assert.is(parser.pending, 0, 'nothing left over at the end');
  return tags;
}

const whole = parseInChunks(flv.length);

test('one config tag, then one NALU tag per frame with key frames every 5', () => {
  assert.equal(
    whole.map((t) => t.kind),
    ['config', ...Array(12).fill('nalu'), ...(whole.at(-1)?.kind === 'end' ? ['end'] : [])],
  );
  const keys = whole.filter((t) => t.kind === 'nalu').map((t) => t.key);
  assert.equal(
    keys,
    Array.from({ length: 12 }, (_, i) => i % 5 === 0),
  );
  assert.is(whole[0]!.data[0], 1, 'an AVCDecoderConfigurationRecord (version 1)');
});

// Each case: a chunk size; 1 byte splits every field, 4096 is a typical pipe read.
for (const size of [1, 3, 11, 15, 4096]) {
  test(`chunks of ${size} byte(s) give the same tags`, () => {
    const tags = parseInChunks(size);
    assert.is(tags.length, whole.length);
    tags.forEach((t, i) => {
      assert.is(t.kind, whole[i]!.kind);
      assert.is(t.key, whole[i]!.key);
      assert.ok(Buffer.compare(t.data, whole[i]!.data) === 0, `tag ${i}`);
    });
  });
}

test('a video tag is delivered as soon as its payload is in, before its PreviousTagSize', () => {
  // Walk the tags (after the 9-byte header and PreviousTagSize0) to the first video one.
  let at = 13;
  while (flv[at] !== 9) at += 11 + flv.readUIntBE(at + 1, 3) + 4;
  const end = at + 11 + flv.readUIntBE(at + 1, 3);
  const parser = new FlvVideoParser();
  assert.is(parser.push(flv.subarray(0, end - 1)).length, 0);
  assert.is(parser.push(flv.subarray(end - 1, end)).length, 1);
});

test('rejects what is not FLV, or not H.264', () => {
  assert.throws(() => new FlvVideoParser().push(Buffer.from('RIFF....WAVE')), /not an FLV stream/);
  // A video tag with codec id 2 (Sorenson H.263).
  const tag = Buffer.from([9, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0x12, 1, 0, 0, 0, 0, 0, 0, 16]);
  const header = Buffer.from([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0]);
  assert.throws(
    () => new FlvVideoParser().push(Buffer.concat([header, tag])),
    /FLV video codec 2 is not H\.264/,
  );
});

test.run();
