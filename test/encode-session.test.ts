// The encode stage's bookkeeping with a scripted encoder: order, key-frame
// placement by timestamp, the bound on pictures inside the encoder, skipped
// pictures, format checks and failures. The real encoders have their own tests.
import { concat, from, NEVER } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodedOf } from '../src/core/encoded.ts';
import { FramewireError } from '../src/core/errors.ts';
import type { Frame } from '../src/core/frame.ts';
import type {
  EncodedUnit,
  EncoderCallbacks,
  EncoderFactory,
} from '../src/stages/encode-session.ts';
import { encodeOperator } from '../src/stages/encode.ts';
import { baseConfig, context, encode } from './helpers/encode.ts';

/** SPS + PPS of a real 64x48 Constrained Baseline stream (openh264), and a stand-in slice. */
const SPS = Buffer.from('6742c00a8c6847201e1108d4', 'hex');
const PPS = Buffer.from('68ce3c80', 'hex');
const annexB = (...nals: Uint8Array[]) =>
  Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n]));
const keyUnit = annexB(SPS, PPS, Buffer.from([0x65, 0x88, 0x80]));
const deltaUnit = annexB(Buffer.from([0x41, 0x9a, 0x02]));

/** Frames with pixels (contents irrelevant here) at the given timestamps. */
function frames(pts: number[], width = 64, height = 48): Frame[] {
  return pts.map((p, seq) => ({
    seq,
    pts: p,
    time: 0,
    width,
    height,
    format: 'yuv420p' as const,
    data: new Uint8Array((width * height * 3) / 2),
    sourceId: 'test',
    meta: { timings: {} },
  }));
}

interface Script {
  /** Outputs are released only by the test (`release`) or at flush. */
  manual?: boolean;
  /** Echo the input timestamp back, as WebCodecs does. */
  timestamps?: boolean;
  /** Sequence numbers the encoder drops without output. */
  skip?: number[];
  /** Fail with this error when the picture with this seq arrives. */
  failAt?: number;
}

/** A scripted encoder that records what it was given and how many pictures it held at most. */
function scripted(script: Script = {}) {
  const given: { seq: number; key: boolean }[] = [];
  /** What each picture looked like when the encoder got it: size and luma row 0. */
  const pictures: { size: string; row0: number[] }[] = [];
  const held: { frame: Frame; key: boolean }[] = [];
  let cb: EncoderCallbacks | undefined;
  let maxHeld = 0;
  const release = (n = held.length) => {
    for (const { frame, key } of held.splice(0, n)) {
      if (script.skip?.includes(frame.seq)) continue;
      const unit: EncodedUnit = {
        data: key ? keyUnit : deltaUnit,
        key,
        ...(script.timestamps ? { timestamp: frame.pts } : {}),
      };
      cb?.output(unit);
    }
  };
  /** The format of every encoder the session opened, in order. */
  const opened: string[] = [];
  const factory: EncoderFactory = async (format, callbacks) => {
    opened.push(`${format.width}x${format.height}`);
    cb = callbacks;
    return {
      encode(frame, key) {
        given.push({ seq: frame.seq, key });
        pictures.push({
          size: `${frame.width}x${frame.height}`,
          row0: [...frame.data.subarray(0, frame.width)],
        });
        if (frame.seq === script.failAt) callbacks.error(new Error('encoder exploded'));
        held.push({ frame, key });
        maxHeld = Math.max(maxHeld, held.length);
        if (!script.manual) setImmediate(() => release(1));
      },
      async flush() {
        release();
      },
      close() {},
    };
  };
  return { factory, given, pictures, opened, release, maxHeld: () => maxHeld };
}

test('every frame comes out once, in order, the same object, with its packet', async () => {
  const input = frames([0, 40_000, 80_000, 120_000]);
  const enc = scripted();
  const out = await encode(input, {}, context(), enc.factory);
  assert.is(out.length, 4);
  out.forEach((f, i) => {
    assert.is(f, input[i]);
    const e = encodedOf(f);
    assert.ok(e, `frame ${i} has meta.encoded`);
    assert.is(e.packet.pts, f.pts);
    assert.is(e.packet.dts, f.pts);
    assert.is(e.packet.codec, 'avc1.42c00a', 'codec string from the SPS');
    assert.is(e.packet.key, i === 0);
    assert.is(e.decoderConfig !== undefined, i === 0, 'decoder config on key frames only');
  });
  const config = encodedOf(out[0]!)?.decoderConfig;
  assert.equal([config?.codedWidth, config?.codedHeight], [64, 48]);
  assert.is(
    Buffer.from(config!.description).toString('hex'),
    '0142c00affe1000c6742c00a8c6847201e1108d401000468ce3c80',
  );
});

// Key frames go by timestamp, so a variable frame rate keeps the interval in seconds.
const keyCases = [
  {
    name: 'steady 25 fps, 1 s',
    interval: 1,
    pts: [0, 400_000, 800_000, 1_000_000, 1_400_000, 2_000_000],
    keys: [0, 3, 5],
  },
  {
    name: 'rounded 30 fps timestamps still hit the second',
    interval: 1,
    pts: [0, 966_667, 1_000_000, 1_033_333],
    keys: [0, 2],
  },
  {
    name: 'a gap longer than the interval',
    interval: 0.5,
    pts: [0, 100_000, 2_000_000, 2_100_000, 2_600_000],
    keys: [0, 2, 4],
  },
  { name: 'a key frame every frame', interval: 0.001, pts: [0, 40_000, 80_000], keys: [0, 1, 2] },
];
for (const c of keyCases) {
  test(`key frames requested by timestamp: ${c.name}`, async () => {
    const enc = scripted();
    await encode(frames(c.pts), { keyframeInterval: c.interval }, context(), enc.factory);
    const keys = enc.given.filter((g) => g.key).map((g) => g.seq);
    assert.equal(keys, c.keys);
  });
}

test('never more pictures inside the encoder than `queue`, and all come out', async () => {
  const enc = scripted({ manual: true });
  const input = frames(Array.from({ length: 20 }, (_, i) => i * 40_000));
  const ctx = context();
  const done = encode(input, { queue: 3 }, ctx, enc.factory);
  // The stage stops feeding at exactly `queue` held pictures.
  for (let round = 0; round < 6; round++) {
    await new Promise((r) => setTimeout(r, 5));
    assert.is(enc.given.length, Math.min(20, 3 + round * 3), `round ${round}`);
    enc.release(3);
  }
  const out = await done;
  assert.is(enc.maxHeld(), 3);
  assert.is(out.length, 20);
  assert.ok(out.every((f) => encodedOf(f)));
});

test('pictures the encoder skipped pass on without a packet, counted, order kept', async () => {
  const enc = scripted({ timestamps: true, skip: [2, 3] });
  const ctx = context();
  const input = frames([0, 40_000, 80_000, 120_000, 160_000]);
  const out = await encode(input, {}, ctx, enc.factory);
  assert.equal(
    out.map((f) => f.seq),
    [0, 1, 2, 3, 4],
  );
  assert.equal(
    out.map((f) => encodedOf(f) !== undefined),
    [true, true, false, false, true],
  );
  assert.equal(ctx.counts, { ENCODE_SKIPPED: 2 });
});

test('a picture that never produced output by the end passes on without a packet', async () => {
  const enc = scripted({ skip: [2] });
  const ctx = context();
  const out = await encode(frames([0, 40_000, 80_000]), {}, ctx, enc.factory);
  assert.equal(
    out.map((f) => encodedOf(f) !== undefined),
    [true, true, false],
  );
  assert.equal(ctx.counts, { ENCODE_SKIPPED: 1 });
});

// Each case: frames the stage must refuse, and what the message says.
const refused: { name: string; input: () => Frame[]; message: RegExp }[] = [
  {
    name: 'rgb24 pixels',
    input: () => frames([0]).map((f) => ({ ...f, format: 'rgb24' as const })),
    message: /frame 0 is rgb24; H\.264 is encoded from yuv420p/,
  },
  {
    name: 'no pixels (undecoded packets)',
    input: () => frames([0]).map((f) => ({ ...f, data: new Uint8Array(0) })),
    message: /carries no pixels \(add a decode stage/,
  },
  {
    name: 'odd size',
    input: () => frames([0], 65, 48),
    message: /65x48; yuv420p needs even sizes/,
  },
];
for (const c of refused) {
  test(`refuses ${c.name} with a STAGE_FAILED error`, async () => {
    const err = await encode(c.input(), {}, context(), scripted().factory).catch((e: unknown) => e);
    assert.instance(err, FramewireError);
    assert.is((err as FramewireError).code, 'STAGE_FAILED');
    assert.match((err as Error).message, c.message);
    assert.match((err as Error).message, /^stages\[0\] \(encode\)/);
  });
}

test('a size change after a reconnect: the encoder gets the picture letterboxed to the first size, once said and counted', async () => {
  // 64x48, then (a reconnect) two 32x48 frames of luma 100, then 64x48 again.
  const small = frames([3_040_000, 3_080_000], 32, 48).map((f, i) => {
    f.data.fill(100, 0, 32 * 48).fill(128, 32 * 48);
    return {
      ...f,
      seq: 1 + i,
      meta: i === 0 ? { timings: {}, discontinuity: true as const } : f.meta,
    };
  });
  const input = [...frames([0]), ...small, ...frames([3_120_000]).map((f) => ({ ...f, seq: 3 }))];
  const ctx = context();
  const infos: string[] = [];
  const log = ctx.log;
  const enc = scripted();
  const out = await encode(
    input,
    {},
    { ...ctx, log: { warn: (m) => log.warn(m), info: (m) => infos.push(m) } },
    enc.factory,
  );
  assert.equal(
    enc.pictures.map((p) => p.size),
    ['64x48', '64x48', '64x48', '64x48'],
  );
  // Hand-computed letterbox of 32x48 into 64x48: scale 1, image at x 16..47, black (16) around.
  const bars = Array.from({ length: 64 }, (_, x) => (x >= 16 && x < 48 ? 100 : 16));
  assert.equal(enc.pictures[1]!.row0, bars);
  assert.equal(enc.pictures[2]!.row0, bars);
  // The discontinuity starts a GOP; the frames keep their own pixels and size.
  assert.equal(
    enc.given.map((g) => g.key),
    [true, true, false, false],
  );
  assert.equal(
    out.map((f) => `${f.width}x${f.height}`),
    ['64x48', '32x48', '32x48', '64x48'],
  );
  assert.is(out[1]!.data[0], 100);
  assert.ok(out.every((f) => encodedOf(f) !== undefined));
  assert.equal(ctx.counts, { SIZE_CHANGE: 1 });
  assert.is(ctx.warnings.length, 1);
  assert.match(
    ctx.warnings[0]!,
    /frame 1 is 32x48 but the stream started at 64x48: encoding it scaled to 64x48 \(letterboxed\)/,
  );
  assert.equal(infos, ['stages[0] (encode): frame 3 is back at 64x48']);
  // The scaled copies went back to the pool.
  assert.is(ctx.pool.outstanding, 0);
});

test('sizeChange: restart drains the encoder and opens a new one at the new size, starting with a key frame', async () => {
  const input = [
    ...frames([0, 40_000]),
    ...frames([3_080_000, 3_120_000], 32, 48).map((f, i) => ({ ...f, seq: 2 + i })),
  ];
  const ctx = context();
  const enc = scripted();
  const out = await encode(input, { sizeChange: 'restart' }, ctx, enc.factory);
  assert.equal(enc.opened, ['64x48', '32x48']);
  assert.equal(
    enc.pictures.map((p) => p.size),
    ['64x48', '64x48', '32x48', '32x48'],
  );
  assert.equal(
    enc.given.map((g) => g.key),
    [true, false, true, false],
  );
  assert.equal(
    out.map((f) => f.seq),
    [0, 1, 2, 3],
  );
  // Every frame has its unit; the key frames carry their stream's decoder config.
  assert.ok(out.every((f) => encodedOf(f) !== undefined));
  assert.equal(
    out.map((f) => encodedOf(f)!.decoderConfig !== undefined),
    [true, false, true, false],
  );
  assert.equal(ctx.counts, { SIZE_CHANGE: 1 });
  assert.equal(ctx.warnings, [
    'stages[0] (encode): frame 2 is 32x48 but the stream started at 64x48: starting a new stream at 32x48 (a file sink goes on in a numbered next file)',
  ]);
});

test('an encoder error ends the stream with a fatal STAGE_FAILED naming the stage', async () => {
  const err = await encode(
    frames([0, 40_000, 80_000]),
    {},
    context(),
    scripted({ failAt: 1 }).factory,
  ).catch((e: unknown) => e);
  assert.instance(err, FramewireError);
  assert.is((err as FramewireError).fatal, true);
  assert.match((err as Error).message, /encoding failed: encoder exploded/);
});

test('unsubscribing mid-stream returns the pixels of frames still inside', async () => {
  const enc = scripted({ manual: true });
  const ctx = context();
  const input = frames([0, 40_000, 80_000]);
  for (const f of input) f.data = ctx.pool.acquire(f.data.byteLength);
  // The source never completes, so nothing is flushed out: three frames stay inside.
  const sub = concat(from(input), NEVER)
    .pipe(encodeOperator(baseConfig, ctx, enc.factory))
    .subscribe();
  await new Promise((r) => setTimeout(r, 5));
  assert.is(enc.given.length, 3);
  sub.unsubscribe();
  assert.is(ctx.pool.outstanding, 0, 'every held buffer went back to the pool');
});

test.run();
