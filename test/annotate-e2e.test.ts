// The whole annotate job on a generated video with a real photo object: the
// astronaut (public domain) slides across the frame once, left to right.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { decodeVideo, runCli, tempDir } from './helpers/media.ts';

const exec = promisify(execFile);
const { dir, cleanup } = tempDir();
test.after(cleanup);

const fixture = new URL('./fixtures/astronaut.png', import.meta.url).pathname;

test('file → detect → track → count → overlay → encode → file + jsonl', async () => {
  // 100 frames at 25 fps; the photo enters at the left edge and leaves at the right.
  await exec(ffmpegPath, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=0x556677:size=640x360:rate=25:duration=4',
    '-i',
    fixture,
    '-filter_complex',
    "[1:v]scale=220:-1[a];[0:v][a]overlay=x='-110+t*170':y=70,format=yuv420p",
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-y',
    join(dir, 'walk.mp4'),
  ]);
  writeFileSync(
    join(dir, 'annotate.yaml'),
    `source: { type: file, path: walk.mp4 }
stages:
  - type: detect
    classes: [person]
  - type: track
  - type: count
    lines: [{ name: middle, from: [320, 360], to: [320, 0] }]
  - type: overlay
    hud: true
  - type: encode
sinks:
  - { type: file, path: out/annotated.mp4 }
  - { type: jsonl, path: out/annotated.jsonl }
`,
  );
  const r = await runCli(['run', 'annotate.yaml', '--quiet'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);

  const records = readFileSync(join(dir, 'out/annotated.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.is(records.length, 100);
  const detected = records.filter((f) => f.detections.length > 0);
  assert.ok(detected.length >= 60, `the person is detected in ${detected.length} of 100 frames`);
  const ids = new Map<number, number>();
  for (const f of detected) {
    for (const d of f.detections)
      if (d.trackId !== undefined) ids.set(d.trackId, (ids.get(d.trackId) ?? 0) + 1);
  }
  const [mainId, frames] = [...ids.entries()].sort((a, b) => b[1] - a[1])[0]!;
  assert.ok(
    frames >= 0.9 * detected.length,
    `track #${mainId} covers ${frames} of ${detected.length} frames`,
  );
  assert.equal(
    records.at(-1).counts.lines.middle,
    { in: 1, out: 0 },
    'one crossing, left to right',
  );

  const video = await decodeVideo(join(dir, 'out/annotated.mp4'));
  assert.is(video.frames, 100);
  assert.is(video.width, 640);
});

test.run();
