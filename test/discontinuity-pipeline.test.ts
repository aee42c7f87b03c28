// A whole pipeline across a reconnect that changes the resolution: real H.264
// packets of a 320x240 clip, an outage, then a 352x288 clip, through decode →
// detect (a fake that finds one person) → track → count → overlay → encode →
// MP4 file + JSON lines. The file stays one playable 320x240 stream (the
// second part letterboxed into it, said once in the log), read back with the
// bundled ffmpeg; the JSON lines carry the flag and the source sizes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { map } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineStage } from '../src/core/component.ts';
import { Detections } from '../src/core/detections.ts';
import type { Frame } from '../src/core/frame.ts';
import type { Logger } from '../src/core/log.ts';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { ffmpegFrameInfo } from './helpers/encode.ts';
import { runPipeline } from './helpers/fake-pipeline.ts';
import { tempDir } from './helpers/media.ts';
import {
  clip,
  FRAME_US,
  reconnectedFrames,
  reconnectingTestSource,
} from './helpers/reconnect-clips.ts';
import { withTestComponents } from './helpers/registries.ts';
import { numbered } from '../src/sinks/file.ts';

const { dir, cleanup } = tempDir('fw-discontinuity-pipeline-');
const file = (name: string) => join(dir, name);
test.after(cleanup);
const GAP_US = 3_000_000;

test.before(() => {
  clip(file('a.mp4'), '320x240', 20);
  clip(file('b.mp4'), '352x288', 15);
});

/** One person standing still at the same place relative to the source frame, whatever its size. */
const fakeDetect = defineStage({
  type: 'fake-detect',
  doc: 'test: one person at 30..50% across, 20..90% down the source frame',
  options: {},
  create: () =>
    map((frame: Frame) => {
      const t = frame.meta.transform;
      const w = t ? t.sourceWidth : frame.width;
      const h = t ? t.sourceHeight : frame.height;
      frame.meta.detections = Detections.fromList([
        { box: [0.3 * w, 0.2 * h, 0.5 * w, 0.9 * h], score: 0.9, classId: 0, label: 'person' },
      ]);
      return frame;
    }),
});

const registries = withTestComponents({
  sources: [
    reconnectingTestSource('two-connections', () =>
      reconnectedFrames(file('a.mp4'), file('b.mp4'), GAP_US),
    ),
  ],
  stages: [fakeDetect],
});

/** The bundled ffmpeg's decode, one picture per stored frame (-vsync 0: the gap is not filled). */
function decodeFrames(path: string, width: number, height: number) {
  const r = spawnSync(
    ffmpeg.path,
    ['-v', 'error', '-i', path, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
    { maxBuffer: 1 << 28 },
  );
  const size = (width * height * 3) / 2;
  const frames: Uint8Array[] = [];
  for (let at = 0; at + size <= r.stdout.length; at += size)
    frames.push(r.stdout.subarray(at, at + size));
  return { frames, code: r.status, stderr: String(r.stderr) };
}

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(`warn: ${m}`) };
}

/** Presentation times: 20 frames from 0, then 15 from 3 s after the 20th. */
const expectedPts = [
  ...Array.from({ length: 20 }, (_, i) => i * FRAME_US),
  ...Array.from({ length: 15 }, (_, i) => 19 * FRAME_US + GAP_US + i * FRAME_US),
];

function pipeline(name: string, resize = '', encode = '{ type: encode }'): string {
  return [
    'source: { type: two-connections }',
    'stages:',
    ...(resize ? [`  - ${resize}`] : []),
    '  - { type: fake-detect }',
    '  - { type: track }',
    '  - { type: count, zones: [ { name: all, polygon: [[0,0],[400,0],[400,400],[0,400]] } ] }',
    '  - { type: overlay }',
    `  - ${encode}`,
    'sinks:',
    `  - { type: file, path: ${JSON.stringify(file(`${name}.mp4`))} }`,
    `  - { type: jsonl, path: ${JSON.stringify(file(`${name}.jsonl`))} }`,
  ].join('\n');
}

const records = (name: string) =>
  readFileSync(file(`${name}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

test('a reconnect at 352x288 after 320x240: one playable 320x240 MP4, the change said once, the JSON lines flagged', async () => {
  const log = capture();
  const r = await runPipeline(pipeline('size-change'), registries, log);
  assert.is(r.error, undefined, String(r.error));
  assert.is(r.result?.reason, 'end');

  // The file: every frame, one size, the outage kept as a gap in the timestamps.
  const info = await ffmpegFrameInfo(file('size-change.mp4'));
  assert.equal([info.width, info.height], [320, 240]);
  assert.equal(info.pts, expectedPts);
  // x264 (encoder: ffmpeg) places key frames by count: every 25 frames (1 s at 25 fps).
  assert.equal(
    info.keys.flatMap((k, i) => (k ? [i] : [])),
    [0, 25],
  );
  const decoded = decodeFrames(file('size-change.mp4'), 320, 240);
  assert.is(decoded.code, 0, decoded.stderr);
  assert.is(decoded.stderr, '');
  assert.is(decoded.frames.length, 35);
  // 352x288 letterboxed into 320x240 (hand-computed): scale 240/288, 294 wide at x 12..305,
  // so columns 0..11 and 306..319 are black (luma 16) after the reconnect only.
  const barLuma = (f: Uint8Array) => {
    let sum = 0;
    for (let y = 0; y < 240; y++) for (const x of [0, 5, 10, 308, 314, 319]) sum += f[y * 320 + x]!;
    return sum / (240 * 6);
  };
  for (let i = 20; i < 35; i++) {
    const luma = barLuma(decoded.frames[i]!);
    assert.ok(Math.abs(luma - 16) < 3, `frame ${i}: bars at luma ${luma}`);
  }
  assert.ok(Math.abs(barLuma(decoded.frames[0]!) - 16) > 10, 'no bars before the reconnect');

  // Said once: the decoder's new size, the encoder's scaling; counted on the encode meter.
  const warnings = log.lines.filter((l) => l.startsWith('warn:'));
  assert.equal(warnings, [
    'warn: stages[4] (encode): frame 20 is 352x288 but the stream started at 320x240: encoding it scaled to 320x240 (letterboxed), so the output stays one playable stream',
  ]);
  assert.ok(
    log.lines.includes('implicit (decode): the stream is now 352x288 (was 320x240)'),
    log.lines.join('\n'),
  );
  const encode = r.result!.meters.find((m) => m.name === 'encode')!;
  assert.equal(encode.events, { SIZE_CHANGE: 1 });
  const decode = r.result!.meters.find((m) => m.name === 'decode')!;
  assert.is(decode.framesOut, 35);
  assert.equal(decode.events, {});

  // The JSON lines: source sizes, the flag on the first frame after the gap only.
  const lines = records('size-change');
  assert.is(lines.length, 35);
  assert.equal(
    lines.map((l) => l.seq),
    Array.from({ length: 35 }, (_, i) => i),
  );
  assert.equal(
    lines.map((l) => l.pts),
    expectedPts,
  );
  assert.equal(
    lines.map((l) => `${l.width}x${l.height}`),
    [...Array(20).fill('320x240'), ...Array(15).fill('352x288')],
  );
  assert.equal(
    lines.filter((l) => 'discontinuity' in l).map((l) => [l.seq, l.discontinuity]),
    [[20, true]],
  );
  // Track 1 before the gap, ended at it; the same person is track 2 after (minHits 3).
  const trackIds = lines.map((l) => l.detections[0].trackId ?? null);
  assert.equal(trackIds, [
    ...[null, null, ...Array(18).fill(1)],
    ...[null, null, ...Array(13).fill(2)],
  ]);
  assert.equal(lines[20].detections[0].box, [105.6, 57.6, 176, 259.2]);
  // The zone: track 1 entered, left when it ended at the gap; track 2 entered after.
  const zone = (i: number) => {
    const { occupancy, entered, exited } = lines[i].counts.zones.all;
    return [occupancy, entered, exited];
  };
  assert.equal(zone(19), [1, 1, 0]);
  assert.equal(zone(20), [0, 1, 1]);
  assert.equal(zone(34), [1, 2, 1]);
  assert.is(r.pool.outstanding, 0);
});

test('a resize stage first: every frame is already 160x120, so the encoder sees no change; boxes stay in source pixels', async () => {
  const log = capture();
  const r = await runPipeline(
    pipeline('resized', '{ type: resize, width: 160, height: 120 }'),
    registries,
    log,
  );
  assert.is(r.error, undefined, String(r.error));
  const info = await ffmpegFrameInfo(file('resized.mp4'));
  assert.equal([info.width, info.height], [160, 120]);
  assert.equal(info.pts, expectedPts);
  const encode = r.result!.meters.find((m) => m.name === 'encode')!;
  assert.equal(encode.events, {});
  assert.equal(
    log.lines.filter((l) => l.startsWith('warn:')),
    [],
  );
  const lines = records('resized');
  assert.equal(
    lines.map((l) => `${l.width}x${l.height}`),
    [...Array(20).fill('320x240'), ...Array(15).fill('352x288')],
  );
  // The fake detector's box, mapped through the letterbox and back: source pixels of each side.
  assert.equal(lines[0].detections[0].box, [96, 48, 160, 216]);
  assert.equal(lines[20].detections[0].box, [105.6, 57.6, 176, 259.2]);
  assert.equal(lines[20].discontinuity, true);
});

test('encode sizeChange: restart: the file is finished at the reconnect and the stream goes on at 352x288 in name-2.mp4', async () => {
  const log = capture();
  const r = await runPipeline(
    pipeline('restart', '', '{ type: encode, sizeChange: restart }'),
    registries,
    log,
  );
  assert.is(r.error, undefined, String(r.error));
  const first = await ffmpegFrameInfo(file('restart.mp4'));
  assert.equal([first.width, first.height], [320, 240]);
  assert.equal(first.pts, expectedPts.slice(0, 20));
  const second = await ffmpegFrameInfo(file('restart-2.mp4'));
  assert.equal([second.width, second.height], [352, 288]);
  // Timestamps stay the frames' own, so they match the JSON lines.
  assert.equal(second.pts, expectedPts.slice(20));
  assert.is(second.keys[0], true);
  for (const [name, w, h, n] of [
    ['restart.mp4', 320, 240, 20],
    ['restart-2.mp4', 352, 288, 15],
  ] as const) {
    const decoded = decodeFrames(file(name), w, h);
    assert.is(decoded.code, 0, decoded.stderr);
    assert.is(decoded.stderr, '');
    assert.is(decoded.frames.length, n, name);
  }
  const meter = (name: string) => r.result!.meters.find((m) => m.name === name)!;
  assert.equal(meter('encode').events, { SIZE_CHANGE: 1 });
  assert.equal(meter('sink:file').events, { NEXT_FILE: 1 });
  const path = JSON.stringify(file('restart.mp4')).slice(1, -1);
  const next = JSON.stringify(file('restart-2.mp4')).slice(1, -1);
  assert.equal(
    log.lines.filter((l) => l.startsWith('warn:')),
    [
      'warn: stages[4] (encode): frame 20 is 352x288 but the stream started at 320x240: starting a new stream at 352x288 (a file sink goes on in a numbered next file)',
      `warn: sinks[0] (file): the stream changed from avc1.64000d 320x240 to avc1.64000d 352x288; "${path}" is finished, continuing in "${next}"`,
    ],
  );
  assert.is(records('restart').length, 35);
});

// Each case: the path as written, the part, the next file's path.
const names: [string, number, string][] = [
  ['out/cam.mp4', 2, 'out/cam-2.mp4'],
  ['cam.mp4', 3, 'cam-3.mp4'],
  ['a.b/cam', 2, 'a.b/cam-2'],
  ['/abs/x.y.mp4', 2, '/abs/x.y-2.mp4'],
];
test('numbered next files keep the directory and the extension', () => {
  for (const [path, part, next] of names) assert.is(numbered(path, part), next);
});

test.run();
