// The decode stage across a reconnect: real H.264 from two clips, the second
// at another size and profile, joined as a live source delivers them (seq
// gapless, pts jumping by the outage, the first frame after it flagged).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Source, SourceObserver } from '../src/core/component.ts';
import type { Frame } from '../src/core/frame.ts';
import { ReconnectingSource } from '../src/core/reconnecting-source.ts';
import { type DecodeConfig, decodeOperator } from '../src/stages/decode.ts';
import type { DecodedFrame, DecoderFactory } from '../src/stages/decode-session.ts';
import {
  context,
  packetFrame,
  packetFrames,
  psnr,
  reference,
  run,
} from './helpers/packet-frames.ts';
import { ManualScheduler, manualClock } from './helpers/manual-scheduler.ts';
import { clip, FRAME_US, reconnectedFrames } from './helpers/reconnect-clips.ts';

const dir = mkdtempSync(join(tmpdir(), 'fw-discontinuity-decode-'));
const file = (name: string) => join(dir, name);
const config: DecodeConfig = {
  hardware: 'no-preference',
  optimizeForLatency: true,
  worker: false,
  queue: 8,
};
/** The outage: 3 s between the last picture before it and the first after. */
const GAP_US = 3_000_000;

test.before(() => {
  // B-frames before the gap: the decoder holds pictures back, and they must all come out.
  clip(file('a.mp4'), '320x240', 20, ['-profile:v', 'high', '-bf', '2']);
  clip(file('b.mp4'), '352x288', 15, ['-profile:v', 'baseline']);
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const sizes = (out: Frame[]) => out.map((f) => `${f.width}x${f.height}`);
const flagged = (out: Frame[]) => out.filter((f) => f.meta.discontinuity).map((f) => f.seq);

test('a reconnect at another size: every picture on both sides, at its own size and pts, the flag kept', async () => {
  const ctx = context(dir);
  const input = await reconnectedFrames(file('a.mp4'), file('b.mp4'), GAP_US);
  const out = await run(from(input), decodeOperator(config, ctx));
  assert.equal(
    out.map((f) => f.seq),
    Array.from({ length: 35 }, (_, i) => i),
  );
  assert.equal(sizes(out), [...Array(20).fill('320x240'), ...Array(15).fill('352x288')]);
  // Pictures in presentation order: 0, 40 ms, … 760 ms, then 3.76 s onwards.
  const expected = [
    ...Array.from({ length: 20 }, (_, i) => i * FRAME_US),
    ...Array.from({ length: 15 }, (_, i) => 19 * FRAME_US + GAP_US + i * FRAME_US),
  ];
  assert.equal(
    out.map((f) => f.pts),
    expected,
  );
  assert.equal(flagged(out), [20]);
  assert.equal(ctx.counts, {});
  // The pixels are those ffmpeg decodes from each clip on its own.
  const refA = reference(file('a.mp4'));
  const refB = reference(file('b.mp4'));
  const a = 320 * 240 * 1.5;
  const b = 352 * 288 * 1.5;
  for (const i of [0, 19])
    assert.is(psnr(out[i]!.data, refA.subarray(i * a, (i + 1) * a)), Infinity);
  for (const i of [0, 14])
    assert.is(psnr(out[20 + i]!.data, refB.subarray(i * b, (i + 1) * b)), Infinity);
  for (const f of out) ctx.pool.release(f.data);
  assert.is(ctx.pool.outstanding, 0);
});

test('a connection that starts after its key frame: packets before the next key frame are dropped and counted, the flag moves on', async () => {
  const ctx = context(dir);
  // The second part loses its first 3 packets; its next key frame is its 11th (-g 10).
  const input = await reconnectedFrames(file('a.mp4'), file('b.mp4'), GAP_US, 3);
  assert.is(input.length, 32);
  const out = await run(from(input), decodeOperator(config, ctx));
  // 20 pictures before the gap; after it, packets 3..9 of b dropped (7), 10..14 decoded (5).
  assert.equal(ctx.counts, { BEFORE_KEY_FRAME: 7 });
  assert.is(out.length, 25);
  assert.equal(sizes(out).slice(20), Array(5).fill('352x288'));
  // b's 11th frame (seq 20 + 10 - 3 = 27) is the first of the new stream: it carries the flag.
  assert.equal(flagged(out), [27]);
  assert.is(out[20]!.seq, 27);
  assert.is(out[20]!.pts, 19 * FRAME_US + GAP_US + 10 * FRAME_US);
  const refB = reference(file('b.mp4'));
  const b = 352 * 288 * 1.5;
  assert.is(psnr(out[20]!.data, refB.subarray(10 * b, 11 * b)), Infinity);
  for (const f of out) ctx.pool.release(f.data);
  assert.is(ctx.pool.outstanding, 0);
});

test('the same size after the reconnect: the decoder still starts afresh, nothing is lost', async () => {
  const ctx = context(dir);
  const input = await reconnectedFrames(file('a.mp4'), file('a.mp4'), GAP_US);
  const out = await run(from(input), decodeOperator(config, ctx));
  assert.is(out.length, 40);
  assert.equal(flagged(out), [20]);
  assert.ok(out.every((f) => f.width === 320 && f.height === 240));
  const refA = reference(file('a.mp4'));
  const a = 320 * 240 * 1.5;
  // The second side's first picture is the clip's first again, not a continuation.
  assert.is(psnr(out[20]!.data, refA.subarray(0, a)), Infinity);
  assert.equal(ctx.counts, {});
  for (const f of out) ctx.pool.release(f.data);
});

/** 4 packets of a 4x2 stream, then (a reconnect, flagged) 3 of an 8x6 one; key frames at 0 and 4. */
function fakeStreams(): Frame[] {
  return Array.from({ length: 7 }, (_, i) => {
    const size = i < 4 ? { width: 4, height: 2 } : { width: 8, height: 6 };
    const pts = i < 4 ? i * FRAME_US : GAP_US + i * FRAME_US;
    const data = new Uint8Array([0, 0, 1, 9]);
    const f = packetFrame(
      i,
      { data, key: i === 0 || i === 4, pts, dts: pts, codec: 'avc1.42c00d' },
      size,
    );
    if (i === 4) f.meta.discontinuity = true;
    return f;
  });
}

/**
 * A fake decoder per configure: one picture of the configured size per packet,
 * a journal of what the session asked of it, and a stray picture delivered
 * after close (as a native decoder's last callback may land late).
 */
function journaledFactory(
  journal: string[],
  reject?: { decoder: number; packet: number },
): DecoderFactory {
  let decoders = 0;
  return async (packet, frame, cb) => {
    const id = ++decoders;
    journal.push(`configure #${id} ${frame.width}x${frame.height} from pts ${packet.pts}`);
    let queue = 0;
    let decoded = 0;
    let state = 'configured';
    const picture = (timestamp: number): DecodedFrame => ({
      format: 'I420',
      codedWidth: frame.width,
      codedHeight: frame.height,
      timestamp,
      copyTo: async (dest) => dest.fill(id),
      close: () => {},
    });
    return {
      ondequeue: null,
      get state() {
        return state;
      },
      get decodeQueueSize() {
        return queue;
      },
      decode(chunk) {
        queue++;
        const n = decoded++;
        setTimeout(() => {
          queue--;
          if (reject?.decoder === id && reject.packet === n) cb.error(new Error('Invalid data'));
          else cb.output(picture(chunk.timestamp));
        }, 1);
      },
      async flush() {
        journal.push(`flush #${id}`);
        while (queue > 0) await new Promise((r) => setTimeout(r, 1));
      },
      close() {
        journal.push(`close #${id}`);
        state = 'closed';
        setTimeout(
          () => cb.output({ ...picture(0), close: () => journal.push(`stray #${id}`) }),
          1,
        );
      },
    };
  };
}

test('at a discontinuity the old decoder is drained and closed before a new one is configured; its late callbacks are ignored', async () => {
  const ctx = context(dir);
  const journal: string[] = [];
  const out = await run(
    from(fakeStreams()),
    decodeOperator(config, ctx, journaledFactory(journal)),
  );
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(
    journal.filter((l) => !l.startsWith('stray')),
    [
      'configure #1 4x2 from pts 0',
      'flush #1',
      'close #1',
      `configure #2 8x6 from pts ${GAP_US + 4 * FRAME_US}`,
      'flush #2',
      'close #2',
    ],
  );
  // The pictures a closed decoder still delivered were closed, not given to a frame.
  assert.equal(journal.filter((l) => l.startsWith('stray')).sort(), ['stray #1', 'stray #2']);
  assert.equal(sizes(out), ['4x2', '4x2', '4x2', '4x2', '8x6', '8x6', '8x6']);
  assert.equal(
    out.map((f) => f.data[0]),
    [1, 1, 1, 1, 2, 2, 2],
  );
  assert.equal(flagged(out), [4]);
  assert.equal(ctx.counts, {});
});

test('the key frame after the reconnect is undecodable: counted corrupt, the flag moves to the next picture, no further restart', async () => {
  const ctx = context(dir);
  const journal: string[] = [];
  const factory = journaledFactory(journal, { decoder: 2, packet: 0 });
  const out = await run(from(fakeStreams()), decodeOperator(config, ctx, factory));
  assert.equal(ctx.counts, { FRAME_CORRUPT: 1 });
  assert.equal(
    out.map((f) => f.seq),
    [0, 1, 2, 3, 5, 6],
  );
  assert.equal(flagged(out), [5]);
  assert.equal(
    journal.filter((l) => l.startsWith('configure')),
    ['configure #1 4x2 from pts 0', `configure #2 8x6 from pts ${GAP_US + 4 * FRAME_US}`],
  );
});

/** One connection: a clip's packet frames against demand, then the connection is lost. */
function clipConnection(frames: Frame[]): Source {
  let observer: SourceObserver | undefined;
  let demand = 0;
  const pump = () => {
    while (observer && demand > 0 && frames.length > 0) {
      demand--;
      observer.next(frames.shift()!);
    }
    if (observer && frames.length === 0) observer.complete();
  };
  return {
    live: false,
    open: async () => ({
      width: frames[0]!.width,
      height: frames[0]!.height,
      format: 'yuv420p',
      fps: 25,
      frames: undefined,
      emits: 'packets',
    }),
    start(o) {
      observer = o;
      pump();
    },
    request(n) {
      demand += n;
      pump();
    },
    stop() {
      frames.length = 0;
      pump();
    },
    close: async () => {},
    dropped: () => 0,
  };
}

test("core's ReconnectingSource over two real connections (320x240, lost, then 352x288): decode gives both sides", async () => {
  const scheduler = new ManualScheduler();
  const clips = [await packetFrames(file('a.mp4')), await packetFrames(file('b.mp4'))];
  // The source continues from the largest pts it passed on: with B-frames (a.mp4) the
  // last packet in decode order is not the last picture (760 ms), which is.
  const lastArrived = Math.max(...clips[0]!.map((f) => f.pts));
  assert.is(lastArrived, 760_000);
  const source = new ReconnectingSource({
    connect: (attempt) => clipConnection(clips[attempt - 1] ?? []),
    backoff: { backoff: { initial: 0.5, max: 4, multiplier: 2 } },
    stallSeconds: 10,
    retryFirstOpen: true,
    describe: 'rtsp://cam/stream',
    clock: manualClock(scheduler),
    health: () => {},
    count: () => {},
    random: () => 0.5,
  });
  const frames: Frame[] = [];
  await source.open();
  source.start({ next: (f) => frames.push(f), error: () => {}, complete: () => {} });
  source.request(100);
  // The first connection delivers its 20 frames at t = 0 and is lost; full jitter with
  // random 0.5 waits 0.5 · 0.5 s = 250 ms; the second delivers its 15 at t = 250 ms.
  await scheduler.advanceTo(1000);
  source.stop();
  await source.close();
  assert.is(frames.length, 35);

  const ctx = context(dir);
  const out = await run(from(frames), decodeOperator(config, ctx));
  assert.equal(
    out.map((f) => f.seq),
    Array.from({ length: 35 }, (_, i) => i),
  );
  assert.equal(sizes(out), [...Array(20).fill('320x240'), ...Array(15).fill('352x288')]);
  assert.equal(flagged(out), [20]);
  // After the gap pts go on at the latest picture's + the 250 ms that passed.
  assert.equal(
    out.map((f) => f.pts),
    [
      ...Array.from({ length: 20 }, (_, i) => i * FRAME_US),
      ...Array.from({ length: 15 }, (_, i) => lastArrived + 250_000 + i * FRAME_US),
    ],
  );
  assert.ok(out[20]!.pts > out[19]!.pts, 'still increasing');
  assert.equal(ctx.counts, {});
  for (const f of out) ctx.pool.release(f.data);
});

test.run();
