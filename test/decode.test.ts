import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, Subject } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FramewireError } from '../src/core/errors.ts';
import type { Frame, Packet } from '../src/core/frame.ts';
import { type DecodeConfig, decodeOperator, holdsBack } from '../src/stages/decode.ts';
import { type DecodedFrame, type DecoderFactory, packetOf } from '../src/stages/decode-session.ts';
import {
  context,
  encode,
  packetFrame,
  packetFrames,
  psnr,
  reference,
  run,
} from './helpers/packet-frames.ts';

// The in-thread decoder (the default). The worker decoder is tested in its own
// process (decode-worker.test.ts): node-webcodecs 1.3 corrupts the heap when
// worker decoders and decode errors meet in one process.
const dir = mkdtempSync(join(tmpdir(), 'fw-decode-'));
const file = (name: string) => join(dir, name);
const config: DecodeConfig = {
  hardware: 'no-preference',
  optimizeForLatency: true,
  worker: false,
  queue: 8,
};

test.before(() => {
  encode(file('baseline.mp4'), '320x240', ['-profile:v', 'baseline']);
  encode(file('high-bframes.mp4'), '320x240', ['-profile:v', 'high', '-bf', '3']);
  encode(file('cropped-180.mp4'), '320x180', []);
  // moov first, then cut: ffmpeg reads the packets that are there, the last one partly.
  encode(file('faststart.mp4'), '320x240', ['-movflags', '+faststart']);
  const whole = readFileSync(file('faststart.mp4'));
  writeFileSync(file('truncated-faststart.mp4'), whole.subarray(0, Math.floor(whole.length * 0.6)));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

// Each case: a file, its display size. B-frames exercise decode vs presentation order;
// 180 lines exercise the SPS cropping window (coded 192).
const cases = [
  { name: 'baseline.mp4', width: 320, height: 240 },
  { name: 'high-bframes.mp4', width: 320, height: 240 },
  { name: 'cropped-180.mp4', width: 320, height: 180 },
];

for (const c of cases) {
  test(`${c.name}: 50 frames in order, pixels equal to ffmpeg's`, async () => {
    const ctx = context(dir);
    const input = await packetFrames(file(c.name));
    const out = await run(from(input), decodeOperator(config, ctx));
    const ref = reference(file(c.name));
    const size = c.width * c.height * 1.5;
    assert.is(out.length, 50);
    assert.is(ref.length, 50 * size);
    out.forEach((f, i) => {
      assert.is(f, input[i], 'same Frame object, same position');
      assert.is(f.seq, i);
      assert.is(f.width, c.width);
      assert.is(f.height, c.height);
      assert.is(f.meta.packet, undefined);
      const p = psnr(f.data, ref.subarray(i * size, (i + 1) * size));
      assert.ok(p > 40, `frame ${i}: PSNR ${p.toFixed(1)} dB`);
    });
    // Same FFmpeg H.264 decoder on both sides: bit-exact in practice.
    assert.ok(
      out.every((f, i) => Buffer.compare(f.data, ref.subarray(i * size, (i + 1) * size)) === 0),
    );
    assert.equal(ctx.counts, {});
    for (const f of out) ctx.pool.release(f.data);
    assert.is(ctx.pool.outstanding, 0);
  });
}

test('holdsBack(): a runner giving that much extra demand never stalls on B-frames', async () => {
  const ctx = context(dir);
  const input = await packetFrames(file('high-bframes.mp4'));
  // The runner with maxInFlight 1: one more frame only when one has come out.
  const limit = 1 + holdsBack(config);
  const out = await new Promise<Frame[]>((resolve, reject) => {
    const got: Frame[] = [];
    const feed = new Subject<Frame>();
    let next = 0;
    const pump = () => {
      while (next < input.length && next - got.length < limit) feed.next(input[next++] as Frame);
      if (next === input.length) feed.complete();
    };
    feed.pipe(decodeOperator(config, ctx)).subscribe({
      next: (f) => {
        got.push(f);
        pump();
      },
      error: reject,
      complete: () => resolve(got),
    });
    pump();
  });
  assert.is(out.length, 50);
});

test('frames that already have pixels pass through untouched, in order', async () => {
  const ctx = context(dir);
  const decoded = (await packetFrames(file('baseline.mp4'))).slice(0, 10);
  const pixels: Frame = {
    ...decoded[0]!,
    seq: 99,
    data: new Uint8Array([1, 2, 3]),
    meta: { timings: {} },
  };
  const input = [...decoded.slice(0, 5), pixels, ...decoded.slice(5)];
  const out = await run(from(input), decodeOperator(config, ctx));
  assert.equal(
    out.map((f) => f.seq),
    [0, 1, 2, 3, 4, 99, 5, 6, 7, 8, 9],
  );
  assert.is(out[5], pixels);
  assert.equal([...pixels.data], [1, 2, 3]);
});

test('corrupted slice data: no crash, every frame accounted for as output or counted corrupt', async () => {
  const ctx = context(dir);
  const input = await packetFrames(file('baseline.mp4'));
  // Scramble the payload of three P-frames (past their headers) and one key frame.
  for (const i of [12, 13, 14, 30]) {
    const p = input[i]!.meta.packet as Packet;
    const data = p.data.slice();
    for (let k = 40; k < data.length; k += 5) data[k] = (data[k] ?? 0) ^ 0x5a;
    input[i]!.meta.packet = { ...p, data };
  }
  const out = await run(from(input), decodeOperator(config, ctx));
  assert.is(out.length + (ctx.counts.FRAME_CORRUPT ?? 0), 50);
  assert.ok(out.every((f) => f.data.length === 320 * 240 * 1.5));
  for (const f of out) ctx.pool.release(f.data);
  assert.is(ctx.pool.outstanding, 0);
});

test('garbage access units are counted as corrupt and the stream continues', async () => {
  const ctx = context(dir);
  const input = await packetFrames(file('baseline.mp4'));
  for (const i of [21, 22]) {
    const p = input[i]!.meta.packet as Packet;
    // A delimiter, then a slice NAL whose header is nonsense.
    const data = new Uint8Array([0, 0, 0, 1, 9, 0xf0, 0, 0, 1, 0x41, 0xff, 0xff, 0xff, 0xff, 0xff]);
    input[i]!.meta.packet = { ...p, data };
  }
  const out = await run(from(input), decodeOperator(config, ctx));
  assert.is(out.length + (ctx.counts.FRAME_CORRUPT ?? 0), 50);
  assert.ok(out.length >= 40, `${out.length} frames out`);
  assert.ok(
    out.every((f, i) => i === 0 || f.seq > out[i - 1]!.seq),
    'still in order',
  );
});

test('a truncated file: the packets that are there decode, no crash', async () => {
  const ctx = context(dir);
  const input = await packetFrames(file('truncated-faststart.mp4'));
  assert.ok(input.length > 10 && input.length < 50, `${input.length} packets`);
  const out = await run(from(input), decodeOperator(config, ctx));
  assert.is(out.length + (ctx.counts.FRAME_CORRUPT ?? 0), input.length);
  assert.ok(out.length >= input.length - 1);
});

/** A scripted decoder: emits one picture per packet unless told otherwise. */
function fakeFactory(script: {
  closeOn?: number;
  failOn?: number[];
  /** Packets the decoder swallows without a picture or an error. */
  silentOn?: number[];
  log: { closed: number; maxQueue: number; decoded: number };
}): DecoderFactory {
  return async (_packet, frame, cb) => {
    let state = 'configured';
    let queue = 0;
    let n = 0;
    const picture = (timestamp: number): DecodedFrame => ({
      format: 'I420',
      codedWidth: frame.width,
      codedHeight: frame.height,
      timestamp,
      copyTo: async (dest) => dest.fill(timestamp & 0xff),
      close: () => script.log.closed++,
    });
    const decoder = {
      ondequeue: null as ((e: Event) => void) | null,
      get state() {
        return state;
      },
      get decodeQueueSize() {
        return queue;
      },
      decode(chunk: { timestamp: number }) {
        const i = n++;
        queue++;
        script.log.maxQueue = Math.max(script.log.maxQueue, queue);
        setTimeout(() => {
          queue--;
          script.log.decoded++;
          if (i === script.closeOn) {
            state = 'closed';
            cb.error(new Error('decoder crashed'));
          } else if (script.failOn?.includes(i)) cb.error(new Error('Decode error: Invalid data'));
          else if (!script.silentOn?.includes(i)) cb.output(picture(chunk.timestamp));
          decoder.ondequeue?.(new Event('dequeue'));
        }, 1);
      },
      // Like a real decoder, flush resolves once every queued chunk is processed.
      flush: async () => {
        while (queue > 0) await new Promise((r) => setTimeout(r, 1));
      },
      close: () => {
        state = 'closed';
      },
    };
    return decoder;
  };
}

/** `n` packet frames for the fake decoder; `first` is the key frame's bytes (an SPS, if given). */
const fakeFrames = (n: number, first: Uint8Array = new Uint8Array([0, 0, 1, 9])) =>
  Array.from({ length: n }, (_, i) =>
    packetFrame(
      i,
      {
        data: i === 0 ? first : new Uint8Array([0, 0, 1, 9]),
        key: i === 0,
        pts: i,
        dts: i,
        codec: 'avc1.42c00d',
      },
      { width: 4, height: 2 },
    ),
  );

test('decoder backpressure: never more than `queue` chunks in the decoder', async () => {
  const log = { closed: 0, maxQueue: 0, decoded: 0 };
  const ctx = context(dir);
  const out = await run(
    from(fakeFrames(30)),
    decodeOperator({ ...config, queue: 3 }, ctx, fakeFactory({ log })),
  );
  assert.is(out.length, 30);
  assert.is(log.maxQueue, 3);
  assert.is(log.closed, 30, 'every VideoFrame closed');
});

test('a rejected packet is counted as corrupt, its frame dropped, the rest emitted', async () => {
  const log = { closed: 0, maxQueue: 0, decoded: 0 };
  const ctx = context(dir);
  const out = await run(
    from(fakeFrames(10)),
    decodeOperator(config, ctx, fakeFactory({ failOn: [4], log })),
  );
  assert.equal(
    out.map((f) => f.seq),
    [0, 1, 2, 3, 5, 6, 7, 8, 9],
  );
  assert.equal(ctx.counts, { FRAME_CORRUPT: 1 });
  assert.is(log.closed, 9);
});

test('a packet swallowed silently (Baseline, worker): found from output timestamps, pixels stay on their frames', async () => {
  const log = { closed: 0, maxQueue: 0, decoded: 0 };
  const ctx = context(dir);
  // A real Baseline key frame: its SPS says the decoder reorders nothing.
  const [key] = await packetFrames(file('baseline.mp4'));
  const baselineKey = key ? packetOf(key)?.data : undefined;
  const out = await run(
    from(fakeFrames(10, baselineKey)),
    // Worker + low latency: the mode where the decoder holds nothing back.
    decodeOperator({ ...config, worker: true }, ctx, fakeFactory({ silentOn: [3, 7], log })),
  );
  assert.equal(
    out.map((f) => f.seq),
    [0, 1, 2, 4, 5, 6, 8, 9],
  );
  // The fake fills a picture with its packet's index: each frame got its own picture.
  assert.equal(
    out.map((f) => f.data[0]),
    [0, 1, 2, 4, 5, 6, 8, 9],
  );
  assert.equal(ctx.counts, { FRAME_CORRUPT: 2 });
});

test('a decoder that closes itself is a fatal STAGE_FAILED error', async () => {
  const log = { closed: 0, maxQueue: 0, decoded: 0 };
  const ctx = context(dir);
  try {
    await run(from(fakeFrames(10)), decodeOperator(config, ctx, fakeFactory({ closeOn: 3, log })));
    assert.unreachable('should fail');
  } catch (e) {
    assert.instance(e, FramewireError);
    assert.is((e as FramewireError).code, 'STAGE_FAILED');
    assert.is((e as FramewireError).fatal, true);
    assert.match((e as Error).message, /decoder closed.*decoder crashed/);
  }
});

test('unsubscribing mid-stream closes the decoder and releases held pixels', async () => {
  const log = { closed: 0, maxQueue: 0, decoded: 0 };
  const ctx = context(dir);
  const got: Frame[] = [];
  await new Promise<void>((resolve) => {
    const sub = from(fakeFrames(20))
      .pipe(decodeOperator(config, ctx, fakeFactory({ log })))
      .subscribe((f) => {
        got.push(f);
        if (got.length === 5) {
          sub.unsubscribe();
          setTimeout(resolve, 50);
        }
      });
  });
  for (const f of got) ctx.pool.release(f.data);
  assert.is(ctx.pool.outstanding, 0);
  assert.is(log.closed, log.decoded, 'pictures decoded after unsubscribe were closed too');
});

test.run();
