// The webcodecs backend (node-webcodecs, openh264 in its static build) through
// the common round trip, plus what is particular to it.
import * as assert from 'uvu/assert';
import { encodedOf } from '../src/core/encoded.ts';
import { profileOf } from '../src/stages/encode.ts';
import { avcLevel, requestedCodec } from '../src/stages/encode-webcodecs.ts';
import { context, encode, rawClip } from './helpers/encode.ts';
import { roundTripSuite } from './helpers/encode-roundtrip.ts';
import { exitAfterReport } from './helpers/exit-after-report.ts';

// node-webcodecs can crash in heap teardown at exit; see the helper.
exitAfterReport();

const test = roundTripSuite({
  encoder: 'webcodecs',
  profileName: 'Constrained Baseline',
  codecPrefix: 'avc1.42c0',
});

test('default profile is baseline: the only one openh264 writes', () => {
  assert.is(profileOf({ encoder: 'webcodecs' } as never), 'baseline');
  assert.is(profileOf({ encoder: 'ffmpeg' } as never), 'high');
  assert.is(profileOf({ encoder: 'webcodecs', profile: 'main' } as never), 'main');
});

test('asking for high says once that the stream came out baseline', async () => {
  const ctx = context();
  const out = await encode(rawClip({ count: 30 }).frames, { profile: 'high' }, ctx);
  assert.ok(
    encodedOf(out[0]!)?.packet.codec.startsWith('avc1.42'),
    'the SPS decides the codec string',
  );
  assert.is(ctx.warnings.length, 1);
  assert.match(ctx.warnings[0]!, /asked for H\.264 high profile, the encoder wrote profile_idc 66/);
});

// Each case: a stream format and the level (Table A-1) its codec string asks for.
const levels = [
  { w: 320, h: 240, fps: 25, level: 0x1e, codec: 'avc1.42c01e' },
  { w: 1280, h: 720, fps: 30, level: 0x1f, codec: 'avc1.42c01f' },
  { w: 1280, h: 720, fps: 60, level: 0x20, codec: 'avc1.42c020' },
  { w: 1920, h: 1080, fps: 30, level: 0x28, codec: 'avc1.42c028' },
  { w: 3840, h: 2160, fps: 30, level: 0x33, codec: 'avc1.42c033' },
];
for (const c of levels) {
  test(`level for ${c.w}x${c.h}@${c.fps}: ${c.codec}`, () => {
    const format = { width: c.w, height: c.h, fps: c.fps };
    assert.is(avcLevel(format), c.level);
    assert.is(requestedCodec('baseline', format), c.codec);
  });
}

test.run();
