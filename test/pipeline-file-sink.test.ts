// The file sink through the CLI: raw frames get the implicit encode stage, and
// every way writing or starting ffmpeg can fail ends the run with exit 1 and one
// message naming the sink and the path, within a time bound: never a hang,
// never exit 0. Frame counts and codecs are read back with the bundled ffmpeg.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { type CliResult, decodeVideo, spawnCli, tempDir } from './helpers/media.ts';

const exec = promisify(execFile);
const { dir, cleanup } = tempDir('fw-file-sink-');
test.after(cleanup);

/** Long enough for a slow shared machine, short of a hang. */
const BOUND_MS = 60_000;

/** Runs the CLI; a run still going after BOUND_MS is killed and reported as a hang. */
function runBounded(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; whileRunning?: (running: () => boolean) => Promise<void> } = {},
): Promise<CliResult & { hung: boolean }> {
  return new Promise((resolve) => {
    const proc = spawnCli(args, { cwd: dir, ...(opts.env ? { env: opts.env } : {}) });
    let stdout = '';
    let stderr = '';
    let hung = false;
    let closed = false;
    const timer = setTimeout(() => {
      hung = true;
      proc.kill('SIGKILL');
    }, BOUND_MS);
    proc.stdout!.on('data', (d: Buffer) => (stdout += d));
    proc.stderr!.on('data', (d: Buffer) => (stderr += d));
    proc.on('close', (code) => {
      closed = true;
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung });
    });
    void opts.whileRunning?.(() => !closed);
  });
}

function pipeline(name: string, source: string, sink: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `source: ${source}\nsinks:\n  - ${sink}\n`);
  return path;
}

/** One `framewire:` line (plus an optional hint), no stack frames. */
function assertOneMessage(stderr: string, message: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  assert.is(lines.filter((l) => l.startsWith('framewire:')).length, 1, stderr);
  assert.match(lines[0]!, message);
  assert.not.match(stderr, /\n\s+at |internal error/);
}

const TESTSRC = '{ type: testsrc, size: 320x240, rate: 25, duration: 2 }';

test('raw frames into type: file: an implicit encode stage, High profile, every frame, the sink’s GOP', async () => {
  const p = pipeline('raw', TESTSRC, '{ type: file, path: out/raw.mp4, keyframeInterval: 0.4 }');
  const r = await runBounded(['run', p, '--quiet', '--json-stats', 'out/raw.json']);
  assert.is(r.code, 0, r.stderr);
  const out = join(dir, 'out/raw.mp4');
  const video = await decodeVideo(out);
  assert.is(video.frames, 50);
  assert.is(video.width, 320);
  const probe = await exec(ffmpegPath, ['-hide_banner', '-i', out]).catch((e) => e);
  assert.match(String(probe.stderr), /Video: h264 \(High\)/);
  // Key frames only: 0.4 s at 25 fps is one every 10 frames, so 5 in 50.
  const keys = await exec(ffmpegPath, [
    ...['-hide_banner', '-skip_frame', 'nokey', '-i', out, '-f', 'null', '-'],
  ]);
  assert.match(keys.stderr, /frame=\s*5 /);
  const stats = JSON.parse(readFileSync(join(dir, 'out/raw.json'), 'utf8'));
  const encode = stats.meters.find((m: { name: string }) => m.name === 'encode');
  assert.ok(encode, `meters: ${stats.meters.map((m: { name: string }) => m.name)}`);
  assert.is(encode.framesOut, 50);
});

test('the sink’s crf reaches the implicit encoder: lower crf, bigger file', async () => {
  const sizes: number[] = [];
  for (const crf of [12, 40]) {
    const p = pipeline(
      `crf${crf}`,
      TESTSRC,
      `{ type: file, path: out/crf${crf}.mp4, crf: ${crf} }`,
    );
    const r = await runBounded(['run', p, '--quiet']);
    assert.is(r.code, 0, r.stderr);
    sizes.push(statSync(join(dir, `out/crf${crf}.mp4`)).size);
  }
  assert.ok(sizes[0]! > 2 * sizes[1]!, `crf 12: ${sizes[0]} bytes, crf 40: ${sizes[1]} bytes`);
});

test('the implicit encode stage fails like any stage: named once, exit 1', async () => {
  // A real ffmpeg for everything but the encoder, which refuses: the implicit
  // encode stage's own failure, wherever it happens, is reported under its name.
  const wrapper = join(dir, 'ffmpeg-without-x264');
  writeFileSync(
    wrapper,
    `#!/bin/sh\ncase "$*" in *libx264*) echo "x264 refused (test)" >&2; exit 1;; esac\nexec "${ffmpegPath}" "$@"\n`,
    { mode: 0o755 },
  );
  const p = pipeline('refused', TESTSRC, '{ type: file, path: out/refused.mp4 }');
  const r = await runBounded(['run', p, '--quiet'], { env: { FRAMEWIRE_FFMPEG: wrapper } });
  assert.is(r.code, 1, r.stderr);
  assertOneMessage(r.stderr, /^framewire: sinks\[0\]\.encode \(encode\): .*x264 refused \(test\)/);
});

test('FRAMEWIRE_FFMPEG=/nonexistent: exit 1, one message naming the binary, no stack', async () => {
  const p = pipeline('noffmpeg', TESTSRC, '{ type: file, path: out/never.mp4 }');
  const r = await runBounded(['run', p, '--quiet'], { env: { FRAMEWIRE_FFMPEG: '/nonexistent' } });
  assert.is(r.hung, false);
  assert.is(r.code, 1, r.stderr);
  assertOneMessage(r.stderr, /cannot start ffmpeg \/nonexistent \(ENOENT\)/);
  assert.match(r.stderr, /hint: FRAMEWIRE_FFMPEG must name an ffmpeg executable/);
});

test('/dev/full as the output: the first write fails the run, naming sink and path', async () => {
  const p = pipeline('full', TESTSRC, '{ type: file, path: /dev/full }');
  const r = await runBounded(['run', p, '--quiet']);
  assert.is(r.hung, false);
  assert.is(r.code, 1, r.stderr);
  assertOneMessage(
    r.stderr,
    /^framewire: sinks\[0\] \(file\): writing "\/dev\/full" failed: ENOSPC: no space left on device/,
  );
});

// Each case: when the lost file is noticed. On Linux a file whose directory is
// removed still takes writes (into nowhere), so the sink checks it still has a name.
const removals = [
  // A key frame every 0.2 s: the next fragment after the removal notices.
  { name: 'mid-stream', keyframeInterval: 0.2 },
  // One GOP for the whole run: only the final flush writes, and notices there.
  { name: 'final-flush', keyframeInterval: 60 },
];
for (const c of removals) {
  test(`output directory removed during the run (${c.name}): exit 1, naming sink and path`, async () => {
    const sub = join(dir, `gone-${c.name}`);
    const out = join(sub, 'out.mp4');
    const source = '{ type: testsrc, size: 160x120, rate: 25, duration: 4, realtime: true }';
    const p = pipeline(
      `gone-${c.name}`,
      source,
      `{ type: file, path: ${out}, keyframeInterval: ${c.keyframeInterval} }`,
    );
    let removedWhileRunning = false;
    const r = await runBounded(['run', p, '--quiet'], {
      whileRunning: async (running) => {
        // The file exists once the first frames reached the muxer.
        while (!existsSync(out) && running()) await new Promise((res) => setTimeout(res, 50));
        await new Promise((res) => setTimeout(res, 300));
        removedWhileRunning = running();
        rmSync(sub, { recursive: true });
      },
    });
    assert.ok(removedWhileRunning, 'the directory was removed before the run ended');
    assert.is(r.hung, false);
    assert.is(r.code, 1, r.stderr);
    assertOneMessage(
      r.stderr,
      new RegExp(
        `^framewire: sinks\\[0\\] \\(file\\): writing "${out}" failed: the file was deleted while being written`,
      ),
    );
  });
}

test.run();
