// A camera that is not there, through the real CLI and the real ffmpeg (this
// machine, like CI, has no camera): one clear message naming the device and
// what to try, exit code 1, no stack trace, no retry loop.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type CliResult, spawnCli, tempDir } from './helpers/media.ts';

/** Runs the CLI; a run still going after `seconds` is killed and reported as a hang. */
function runBounded(args: string[], seconds: number): Promise<CliResult & { hung: boolean }> {
  return new Promise((resolve) => {
    const proc = spawnCli(args);
    let stdout = '';
    let stderr = '';
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      proc.kill('SIGKILL');
    }, seconds * 1000);
    proc.stdout!.on('data', (d: Buffer) => (stdout += d));
    proc.stderr!.on('data', (d: Buffer) => (stderr += d));
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung });
    });
  });
}

function pipeline(dir: string, source: string): string {
  const file = join(dir, 'camera.yaml');
  writeFileSync(file, `source: ${source}\nsinks:\n  - type: null\n`);
  return file;
}

test('a missing device (/dev/video9) is a clear error at start, exit 1', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // Retries would hide the mistake: a camera that is missing at start is not waited for.
    const file = pipeline(dir, '{ type: camera, device: /dev/video9, inputFormat: mjpeg }');
    const r = await runBounded(['run', file], 60);
    assert.not.ok(r.hung, 'the run did not end by itself');
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /source \(camera\): camera \/dev\/video9 does not exist/);
    assert.match(r.stderr, /this machine has no \/dev\/video\* device/);
    assert.match(r.stderr, /hint: .*framewire devices.*ls \/dev\/video\*/);
    assert.not.match(r.stderr, /reconnecting/);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    cleanup();
  }
});

test('a device node that is no camera (/dev/null) says so, exit 1', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = pipeline(dir, '{ type: camera, device: /dev/null }');
    const r = await runBounded(['run', file], 60);
    assert.not.ok(r.hung, 'the run did not end by itself');
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /\/dev\/null is not a video capture device/);
    assert.match(r.stderr, /hint: .*metadata.*framewire devices/);
  } finally {
    cleanup();
  }
});

test('an odd camera size is refused by validate (exit 2) before anything opens', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = pipeline(dir, '{ type: camera, width: 641, height: 480 }');
    const r = await runBounded(['validate', file], 60);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /camera\.yaml:1:\d+/);
    assert.match(r.stderr, /width must be even/);
  } finally {
    cleanup();
  }
});

test.run();
