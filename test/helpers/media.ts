import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath } from '../../src/core/ffmpeg.ts';

const exec = promisify(execFile);

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'framewire-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Generates an H.264 MP4 of exactly `frames` frames from ffmpeg's testsrc2. */
export async function makeVideo(
  path: string,
  opts: { frames: number; size?: string; rate?: number; extra?: string[] },
): Promise<string> {
  const size = opts.size ?? '320x240';
  const rate = opts.rate ?? 25;
  await exec(ffmpegPath, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=${rate}`,
    '-frames:v',
    String(opts.frames),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    ...(opts.extra ?? []),
    '-y',
    path,
  ]);
  return path;
}

/** Decodes a video with the bundled ffmpeg; rejects if ffmpeg reports any error. */
export async function decodeVideo(
  path: string,
): Promise<{ frames: number; width: number; height: number; errors: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(ffmpegPath, [
      '-hide_banner',
      '-v',
      'error',
      '-i',
      path,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      'pipe:1',
    ]);
    let bytes = 0;
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (bytes += d.length));
    proc.stderr.on('data', (d: Buffer) => (stderr += d));
    proc.on('close', async (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg could not decode ${path}: ${stderr}`));
      const probe = await exec(ffmpegPath, ['-hide_banner', '-i', path]).catch(
        (e: { stderr: string }) => e,
      );
      const m = /Video: .*?, (\d+)x(\d+)/.exec(String(probe.stderr));
      const width = Number(m?.[1]);
      const height = Number(m?.[2]);
      resolve({
        frames: width && height ? bytes / (width * height) : 0,
        width,
        height,
        errors: stderr,
      });
    });
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the framewire CLI from source (tsx), as a user would run the installed bin. */
export function runCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const proc = spawnCli(args, opts);
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d: Buffer) => (stdout += d));
    proc.stderr!.on('data', (d: Buffer) => (stderr += d));
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const root = new URL('../..', import.meta.url).pathname;

export function spawnCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(root, 'src/cli.ts'), ...args],
    {
      cwd: opts.cwd ?? root,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}
