// Whole pipelines through the CLI: testsrc → encode → file (+ jsonl), for both
// encoder backends, and a killed run that leaves a playable MP4.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegFrameInfo } from './helpers/encode.ts';
import { decodeVideo, runCli, spawnCli, tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir('fw-encode-cli-');
test.after(cleanup);

function pipeline(name: string, lines: string[]): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, lines.join('\n'));
  return path;
}

const jsonl = (name: string) =>
  readFileSync(join(dir, `${name}.jsonl`), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; pts: number });

// Each case: an encoder backend and the profile ffmpeg reads back from the file.
const backends = [
  { encoder: 'webcodecs', profile: 'Constrained Baseline' },
  { encoder: 'ffmpeg', profile: 'High' },
];
for (const c of backends) {
  test(`testsrc → encode (${c.encoder}) → file: 50 frames, 320x240, timestamps as in the JSONL`, async () => {
    const name = `run-${c.encoder}`;
    const file = pipeline(name, [
      'source: { type: testsrc, size: 320x240, rate: 25, duration: 2 }',
      'stages:',
      `  - { type: encode, encoder: ${c.encoder}, bitrate: 400000 }`,
      'sinks:',
      `  - { type: file, path: ${name}.mp4 }`,
      `  - { type: jsonl, path: ${name}.jsonl }`,
    ]);
    const run = await runCli(['run', file, '--quiet'], { cwd: dir });
    assert.is(run.code, 0, run.stderr);
    const video = await decodeVideo(join(dir, `${name}.mp4`));
    assert.equal([video.frames, video.width, video.height], [50, 320, 240]);
    const info = await ffmpegFrameInfo(join(dir, `${name}.mp4`));
    assert.is(info.codec, `h264 (${c.profile})`);
    assert.equal(
      info.pts,
      jsonl(name).map((r) => r.pts),
    );
  });
}

test('SIGKILL mid-run: the encoded MP4 written so far still decodes', async () => {
  const file = pipeline('kill', [
    'source: { type: testsrc, size: 320x240, rate: 25, realtime: true }',
    'stages:',
    '  - { type: encode, keyframeInterval: 0.4 }',
    'sinks:',
    '  - { type: file, path: kill.mp4 }',
    '  - { type: jsonl, path: kill.jsonl }',
  ]);
  const proc = spawnCli(['run', file, '--quiet'], { cwd: dir });
  const exited = new Promise((r) => proc.on('close', r));
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      if (readFileSync(join(dir, 'kill.jsonl'), 'utf8').split('\n').length > 60) break;
    } catch {}
  }
  proc.kill('SIGKILL');
  await exited;
  const video = await decodeVideo(join(dir, 'kill.mp4'));
  assert.is(video.errors, '');
  // 10-frame fragments: ~50 frames are in whole fragments when the JSONL has 60
  // (the file sink may trail the jsonl one by a few frames).
  assert.ok(video.frames >= 40, `${video.frames} frames`);
});

test.run();
