// Video on the feed: the H.264 access units a client receives, header
// stripped, decode with the bundled ffmpeg to the source's size and frame
// count; a late subscriber starts at a key frame; JPEG pictures decode to the
// right size and colour.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FfmpegProcess } from '../src/core/ffmpeg-process.ts';
import type { RunResult } from '../src/core/runner.ts';
import { decodeVideoFrame, type VideoFrame } from '../src/serve/video-frame.ts';
import { FeedClient, gate, startFeed } from './helpers/ws-feed.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-ws-video-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Decodes a file with the bundled ffmpeg to raw pixels; resolves with all of them. */
async function decodeWithFfmpeg(inputArgs: string[], pixFmt: string): Promise<Buffer> {
  const proc = new FfmpegProcess({
    args: [...inputArgs, '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1'],
    stdout: true,
    errorCode: 'STAGE_FAILED',
  });
  const chunks: Buffer[] = [];
  proc.stdout.on('data', (c: Buffer) => chunks.push(c));
  const exit = await proc.exited;
  assert.is(exit.code, 0, proc.stderrTail(5));
  return Buffer.concat(chunks);
}

function h264Frames(client: FeedClient): VideoFrame[] {
  return client.binary.map((b) => decodeVideoFrame(b));
}

test('H.264: every frame arrives with its header, from a key frame, and decodes to 320x240 × 30', async () => {
  const g = gate();
  const running = await startFeed(
    `
name: video
source: { type: testsrc, size: 320x240, rate: 10, duration: 3, realtime: true }
stages:
  - type: gate
sinks:
  - type: websocket
    port: 0
    video: h264
    clientQueue: 1000
`,
    { stages: [g.def] },
  );
  const early = new FeedClient(running.url);
  await early.opened;
  early.send({ type: 'subscribe', topics: ['detections', 'video'] });
  await early.until(() => early.of('subscribed').length === 1, 'subscribed');
  const late = new FeedClient(running.url);
  await late.opened;
  g.open();
  // The late one asks for video once a dozen frames went by: it starts at the next key frame.
  await early.until(() => early.of('detections').length >= 12, 'twelve frames');
  late.send({ type: 'subscribe', topics: ['video'] });
  const result = await running.done;
  assert.not.instance(result, Error, String(result));
  await Promise.all([early.closed, late.closed]);
  const meters = (result as RunResult).meters;
  // The implicit encode stage was added for the feed.
  assert.ok(meters.some((m) => m.name === 'encode'));
  assert.equal(early.problems, []);
  assert.is(early.of('hello')[0]!.video, 'h264');

  const frames = h264Frames(early);
  assert.is(frames.length, 30);
  assert.equal(
    frames.map((f) => f.seq),
    Array.from({ length: 30 }, (_, i) => i),
  );
  assert.ok(frames[0]!.key);
  for (const f of frames) {
    assert.is(f.kind, 'h264');
    assert.is(f.width, 320);
    assert.is(f.height, 240);
    // Baseline (profile_idc 66 = 0x42), what every WebCodecs decodes.
    assert.match(f.codec, /^avc1\.42[0-9a-f]{4}$/);
  }
  assert.equal(
    frames.map((f) => f.pts),
    Array.from({ length: 30 }, (_, i) => i * 100_000),
  );
  // A key frame at least every half second (5 frames at 10 fps).
  const keys = frames.flatMap((f, i) => (f.key ? [i] : []));
  assert.ok(
    keys.every((k, i) => i === 0 || k - keys[i - 1]! <= 5),
    `key frames at ${keys}`,
  );

  const file = join(dir, 'early.h264');
  writeFileSync(file, Buffer.concat(frames.map((f) => f.payload)));
  const pixels = await decodeWithFfmpeg(['-f', 'h264', '-i', file], 'yuv420p');
  assert.is(pixels.length, 30 * 320 * 240 * 1.5);

  const lateFrames = h264Frames(late);
  assert.ok(lateFrames.length > 0 && lateFrames.length < 30, `${lateFrames.length} frames`);
  assert.ok(lateFrames[0]!.key);
  assert.ok(lateFrames[0]!.seq >= 12);
  const lateFile = join(dir, 'late.h264');
  writeFileSync(lateFile, Buffer.concat(lateFrames.map((f) => f.payload)));
  const latePixels = await decodeWithFfmpeg(['-f', 'h264', '-i', lateFile], 'yuv420p');
  assert.is(latePixels.length, lateFrames.length * 320 * 240 * 1.5);
});

test('JPEG: pictures only for video subscribers, decoding to the frame size and colour', async () => {
  const g = gate();
  const running = await startFeed(
    `
name: jpeg
source: { type: testsrc, pattern: color, size: 320x240, rate: 10, duration: 2, realtime: true }
stages:
  - type: gate
sinks:
  - type: websocket
    port: 0
    video: jpeg
`,
    { stages: [g.def] },
  );
  const viewer = new FeedClient(running.url);
  const blind = new FeedClient(running.url);
  await Promise.all([viewer.opened, blind.opened]);
  viewer.send({ type: 'subscribe', topics: ['video'] });
  await viewer.until(() => viewer.of('subscribed').length === 1, 'subscribed');
  g.open();
  const result = await running.done;
  assert.not.instance(result, Error, String(result));
  await Promise.all([viewer.closed, blind.closed]);
  assert.is(blind.binary.length, 0);
  const pictures = h264Frames(viewer);
  assert.ok(pictures.length > 0);
  assert.ok(pictures.length <= 20);
  const seqs = pictures.map((p) => p.seq);
  assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!));
  const picture = pictures.at(-1)!;
  assert.is(picture.kind, 'jpeg');
  assert.is(picture.codec, '');
  const file = join(dir, 'picture.jpg');
  writeFileSync(file, picture.payload);
  const rgb = await decodeWithFfmpeg(['-i', file], 'rgb24');
  assert.is(rgb.length, 320 * 240 * 3);
  // ffmpeg's gray is #808080; JPEG and two colour conversions keep it within a few levels.
  for (const i of [0, 1, 2, rgb.length / 2, rgb.length - 1]) {
    assert.ok(Math.abs(rgb[i]! - 128) <= 4, `byte ${i} is ${rgb[i]}`);
  }
});

test.run();
