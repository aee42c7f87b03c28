// Nothing already written is lost: SIGINT finalizes outputs and exits 0; after
// SIGKILL the fragmented MP4 still decodes up to its last fragment.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeVideo, spawnCli, tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir();
test.after(cleanup);

/** An endless real-time test pattern, like a camera that never ends. */
function endless(name: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    [
      'source: { type: testsrc, size: 320x240, rate: 25, realtime: true }',
      'sinks:',
      `  - { type: file, path: ${name}.mp4, keyframeInterval: 0.4 }`,
      `  - { type: jsonl, path: ${name}.jsonl }`,
    ].join('\n'),
  );
  return path;
}

/** Resolves once the JSONL file has at least `lines` lines (the run is really going). */
async function waitForLines(path: string, lines: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if (readFileSync(path, 'utf8').split('\n').length > lines) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path} never reached ${lines} lines`);
}

function exitOf(
  proc: ReturnType<typeof spawnCli>,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d));
  return new Promise((r) => proc.on('close', (code, signal) => r({ code, signal, stderr })));
}

test('SIGINT mid-run: exit 0, a playable MP4 and a complete JSONL with the same frames', async () => {
  const proc = spawnCli(['run', endless('int'), '--quiet'], { cwd: dir });
  const exited = exitOf(proc);
  await waitForLines(join(dir, 'int.jsonl'), 40);
  proc.kill('SIGINT');
  const { code, stderr } = await exited;
  assert.is(code, 0, stderr);
  const text = readFileSync(join(dir, 'int.jsonl'), 'utf8');
  assert.ok(text.endsWith('\n'), 'the last line is whole');
  const records = text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  for (const [i, r] of records.entries()) assert.is(r.seq, i);
  const video = await decodeVideo(join(dir, 'int.mp4'));
  assert.is(video.errors, '');
  assert.is(video.frames, records.length, 'every frame that reached the JSONL is in the video');
});

test('SIGTERM is handled like SIGINT', async () => {
  const proc = spawnCli(['run', endless('term'), '--quiet'], { cwd: dir });
  const exited = exitOf(proc);
  await waitForLines(join(dir, 'term.jsonl'), 20);
  proc.kill('SIGTERM');
  const { code } = await exited;
  assert.is(code, 0);
  const video = await decodeVideo(join(dir, 'term.mp4'));
  assert.ok(video.frames >= 20);
});

test('SIGKILL mid-run: the MP4 written so far still decodes', async () => {
  const proc = spawnCli(['run', endless('kill'), '--quiet'], { cwd: dir });
  const exited = exitOf(proc);
  await waitForLines(join(dir, 'kill.jsonl'), 60);
  // framewire itself writes the MP4 (ffmpeg only encodes, into a pipe): what is
  // on disk is the fragments written before the kill, nothing finalized afterwards.
  const writers = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('ffmpeg') && l.includes(join(dir, 'kill.mp4')));
  assert.equal(writers, [], 'no ffmpeg process writes the file');
  proc.kill('SIGKILL');
  const { signal } = await exited;
  assert.is(signal, 'SIGKILL');
  assert.ok(statSync(join(dir, 'kill.mp4')).size > 0);
  const video = await decodeVideo(join(dir, 'kill.mp4'));
  assert.ok(video.frames >= 10, `decoded ${video.frames} frames`);
  const lines = readFileSync(join(dir, 'kill.jsonl'), 'utf8').split('\n');
  for (const line of lines.slice(0, -1)) JSON.parse(line);
});

test.run();
