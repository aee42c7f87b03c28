import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FramewireError } from '../src/core/errors.ts';
import type { Packet } from '../src/core/frame.ts';
import { openPacketReader } from '../src/sources/packet-reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'fw-packets-'));
const file = (name: string) => join(dir, name);

/** 50 frames of testsrc2 at 25 fps, a key frame every 10 (no scene-cut extras). */
function encode(name: string, size: string, extra: string[]): string {
  const out = file(name);
  execFileSync(ffmpeg.path, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`],
    ...['-frames:v', '50', '-pix_fmt', 'yuv420p', '-g', '10', '-sc_threshold', '0', ...extra, out],
  ]);
  return out;
}

test.before(() => {
  encode('baseline.mp4', '320x240', ['-c:v', 'libx264', '-profile:v', 'baseline']);
  // High profile with B-frames: decode order differs from presentation order.
  encode('high.mp4', '320x240', ['-c:v', 'libx264', '-profile:v', 'high']);
  // 180 is not a multiple of 16: the SPS crops 192 coded lines to 180.
  encode('cropped.mp4', '320x180', ['-c:v', 'libx264']);
  encode('hevc.mkv', '320x240', ['-c:v', 'libx265', '-x265-params', 'log-level=error']);
  execFileSync(ffmpeg.path, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=duration=1',
    file('audio-only.m4a'),
  ]);
  writeFileSync(file('not-a-video.mp4'), 'just some text, not a video\n'.repeat(100));
  // An MP4 cut in half loses its index (the moov atom is written last).
  const high = readFileSync(file('high.mp4'));
  writeFileSync(file('truncated-no-moov.mp4'), high.subarray(0, high.length >> 1));
  // 300 lossless frames at 640x480: megabytes, far more than the pipe buffers hold.
  execFileSync(ffmpeg.path, [
    ...[
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x480:rate=25',
      '-frames:v',
      '300',
    ],
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-qp',
      '0',
      '-pix_fmt',
      'yuv420p',
      file('large.mp4'),
    ],
  ]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string): Promise<{
  packets: Packet[];
  info: Awaited<ReturnType<ReturnType<typeof openPacketReader>['open']>>;
}> {
  const reader = openPacketReader({ inputArgs: ['-i', path] });
  try {
    const info = await reader.open();
    const packets: Packet[] = [];
    for await (const p of reader) packets.push(p);
    return { packets, info };
  } finally {
    await reader.close();
  }
}

const keyIndices = (packets: Packet[]) => packets.flatMap((p, i) => (p.key ? [i] : []));

// Each case: a file, the codec-string prefix its profile gives, and its display size.
const streams = [
  { name: 'baseline.mp4', codec: /^avc1\.42[0-9a-f]{4}$/, width: 320, height: 240 },
  { name: 'high.mp4', codec: /^avc1\.6400[0-9a-f]{2}$/, width: 320, height: 240 },
  { name: 'cropped.mp4', codec: /^avc1\.6400[0-9a-f]{2}$/, width: 320, height: 180 },
];

for (const s of streams) {
  test(`${s.name}: 50 access units, key frames every 10, codec string and size from the SPS`, async () => {
    const { packets, info } = await readAll(file(s.name));
    assert.is(packets.length, 50);
    assert.equal(keyIndices(packets), [0, 10, 20, 30, 40]);
    assert.match(info.codec, s.codec);
    assert.ok(packets.every((p) => p.codec === info.codec));
    assert.is(info.width, s.width);
    assert.is(info.height, s.height);
    assert.is(info.fps, 25);
    assert.is(info.fpsFrom, 'container');
  });
}

test("timestamps are the container's: 40 ms apart at 25 fps, starting at 0", async () => {
  const { packets } = await readAll(file('baseline.mp4'));
  assert.equal(
    packets.slice(0, 4).map((p) => p.pts),
    [0, 40_000, 80_000, 120_000],
  );
  assert.is(packets[49]?.pts, 1_960_000);
  assert.ok(packets.every((p) => p.dts === p.pts));
});

test('B-frames: packets come in decode order with their own pts, dts never after pts', async () => {
  const { packets } = await readAll(file('high.mp4'));
  const pts = packets.map((p) => p.pts);
  // Presentation order differs from decode order, but together they are every 40 ms slot once.
  assert.not.equal(
    pts,
    [...pts].sort((a, b) => a - b),
  );
  assert.equal(
    [...pts].sort((a, b) => a - b),
    packets.map((_, i) => i * 40_000),
  );
  assert.ok(packets.every((p) => p.dts <= p.pts));
  assert.ok(packets.every((p, i) => i === 0 || p.dts > packets[i - 1]!.dts));
});

test('every access unit starts with its delimiter and each key frame carries SPS and PPS', async () => {
  const { packets } = await readAll(file('high.mp4'));
  for (const p of packets) {
    const start = p.data[2] === 1 ? 3 : 4;
    assert.is(p.data[start]! & 0x1f, 9, 'AUD first');
  }
  const key = Buffer.from(packets[10]!.data);
  assert.ok(key.includes(Buffer.from([0, 0, 1, 0x67])), 'SPS in key frame');
  assert.ok(key.includes(Buffer.from([0, 0, 1, 0x68])), 'PPS in key frame');
});

/** profile_idc, the constraint flags and level_idc as ffmpeg's own SPS parser sees them. */
function traceSps(path: string): { profile: number; constraints: number; level: number } {
  const args = [
    '-hide_banner',
    '-i',
    path,
    '-c:v',
    'copy',
    '-bsf:v',
    'trace_headers',
    '-frames:v',
    '1',
    '-f',
    'null',
    '-',
  ];
  const { stderr: log } = spawnSync(ffmpeg.path, args, { encoding: 'utf8' });
  const field = (name: string) => Number(new RegExp(`\\s${name}\\s+\\d+ = (\\d+)`).exec(log)?.[1]);
  let constraints = 0;
  for (let i = 0; i < 6; i++) constraints |= field(`constraint_set${i}_flag`) << (7 - i);
  return { profile: field('profile_idc'), constraints, level: field('level_idc') };
}

for (const name of ['baseline.mp4', 'high.mp4']) {
  test(`${name}: codec string bytes equal ffmpeg's trace of the SPS`, async () => {
    const { info } = await readAll(file(name));
    const { profile, constraints, level } = traceSps(file(name));
    const hex = (n: number) => n.toString(16).padStart(2, '0');
    assert.is(info.codec, `avc1.${hex(profile)}${hex(constraints)}${hex(level)}`);
  });
}

test('backpressure: an unread reader stops ffmpeg within the pipe buffers', async () => {
  const size = readFileSync(file('large.mp4')).length;
  const reader = openPacketReader({
    inputArgs: ['-i', file('large.mp4')],
  });
  try {
    await reader.open();
    await reader.next();
    await new Promise((r) => setTimeout(r, 500));
    // Only what fills the first AU plus the stream's read-ahead has been taken.
    assert.ok(reader.bytesRead < 1_000_000, `read ${reader.bytesRead} of ${size} bytes`);
    assert.ok(size > 3_000_000, `fixture is ${size} bytes`);
    let n = 1;
    while (await reader.next()) n++;
    assert.is(n, 300);
  } finally {
    await reader.close();
  }
});

test('close() mid-stream kills ffmpeg and next() then ends', async () => {
  const reader = openPacketReader({
    inputArgs: ['-i', file('large.mp4')],
  });
  await reader.open();
  await reader.next();
  await reader.close();
  await reader.close();
  assert.is(await reader.next(), null);
});

// Each case: an unusable input and what the error message must say.
const failures = [
  { name: 'missing.mp4', message: /no such file/ },
  { name: 'not-a-video.mp4', message: /not a readable video/ },
  { name: 'truncated-no-moov.mp4', message: /not a readable video/ },
  { name: 'audio-only.m4a', message: /has no video stream/ },
  { name: 'hevc.mkv', message: /is hevc video; .*H\.264 only for now/ },
];

for (const f of failures) {
  test(`${f.name}: SOURCE_OPEN with a clear message and a hint`, async () => {
    const reader = openPacketReader({ inputArgs: ['-i', file(f.name)] });
    try {
      await reader.open();
      assert.unreachable('open() should reject');
    } catch (e) {
      assert.instance(e, FramewireError);
      const err = e as FramewireError;
      assert.is(err.code, 'SOURCE_OPEN');
      assert.match(err.message, f.message);
      assert.ok(err.hint && err.hint.length > 0);
    } finally {
      await reader.close();
    }
  });
}

test('a missing ffmpeg binary is a SOURCE_OPEN error, not a crash', async () => {
  // The binary is resolved at each spawn: FRAMEWIRE_FFMPEG first, then the bundled one.
  process.env.FRAMEWIRE_FFMPEG = file('no-ffmpeg');
  const reader = openPacketReader({ inputArgs: ['-i', file('high.mp4')] });
  delete process.env.FRAMEWIRE_FFMPEG;
  try {
    await reader.open();
    assert.unreachable('open() should reject');
  } catch (e) {
    assert.is((e as FramewireError).code, 'SOURCE_OPEN');
    assert.match((e as Error).message, /cannot start ffmpeg/);
  } finally {
    await reader.close();
  }
});

test.run();
