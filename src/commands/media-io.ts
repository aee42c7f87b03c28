import { spawn } from 'node:child_process';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { FramewireError } from '../core/errors.ts';
import { type Frame, frameByteLength } from '../core/frame.ts';

/** The bundled ffmpeg; no system ffmpeg is assumed. */
export const ffmpegPath: string = ffmpegInstaller.path;

/**
 * Decodes an image or video file into rgb24 (or yuv420p) frames with the bundled ffmpeg,
 * one at a time, in order. The frame size is read from ffmpeg's own description
 * of its output stream (`Video: rawvideo … 512x512`), so no ffprobe is needed.
 * Frames read on demand: the generator pauses ffmpeg through pipe backpressure.
 */
export async function* readFrames(
  path: string,
  format: 'rgb24' | 'yuv420p' = 'rgb24',
): AsyncGenerator<Frame> {
  const child = spawn(
    ffmpegPath,
    ['-hide_banner', '-nostdin', '-i', path, '-f', 'rawvideo', '-pix_fmt', format, 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let size: { width: number; height: number } | undefined;
  let sizeKnown: () => void = () => {};
  const sizeReady = new Promise<void>((resolve) => {
    sizeKnown = resolve;
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    if (size) return;
    const out = stderr.indexOf('Output #0');
    const m = out === -1 ? null : /Video: rawvideo[^\n]*?, (\d+)x(\d+)/.exec(stderr.slice(out));
    if (m) {
      size = { width: Number(m[1]), height: Number(m[2]) };
      sizeKnown();
    }
  });
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code) => {
      sizeKnown();
      resolve(code ?? 1);
    });
    // A missing or unrunnable ffmpeg binary: no 'close' may follow, so release the wait here.
    child.on('error', (err) => {
      stderr += `\n${err.message}`;
      sizeKnown();
      resolve(-1);
    });
  });

  try {
    await sizeReady;
    if (!size) throw unreadable(path, stderr);
    const frameBytes = frameByteLength(format, size.width, size.height);
    let pending: Buffer = Buffer.alloc(0);
    let seq = 0;
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        const data = new Uint8Array(frameBytes);
        data.set(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
        yield {
          seq,
          pts: 0,
          time: Date.now(),
          width: size.width,
          height: size.height,
          format,
          data,
          sourceId: path,
          meta: { timings: {} },
        };
        seq++;
      }
    }
    const code = await exited;
    if (code !== 0 && seq === 0) throw unreadable(path, stderr);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** One clear line from ffmpeg's complaint (its last line names the problem). */
function unreadable(path: string, stderr: string): FramewireError {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const why =
    lines.find((l) => /No such file|Invalid data|not supported|Permission denied/i.test(l)) ??
    lines.at(-1) ??
    'ffmpeg failed';
  return new FramewireError('SOURCE_OPEN', `cannot read ${path}: ${why.replace(`${path}: `, '')}`, {
    hint: 'give an image (PNG, JPEG, …) or a video file ffmpeg can decode',
  });
}

/** Encodes one rgb24 image as PNG (any format ffmpeg infers from the extension). */
export async function writeImage(
  path: string,
  rgb: Uint8Array,
  width: number,
  height: number,
): Promise<void> {
  const child = spawn(
    ffmpegPath,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${width}x${height}`,
      '-i',
      'pipe:0',
      '-frames:v',
      '1',
      '-update',
      '1',
      path,
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr += d;
  });
  child.stdin.on('error', () => {}); // ffmpeg quitting early is reported through its exit code
  child.stdin.end(rgb);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) {
    throw new FramewireError(
      'SINK_WRITE',
      `cannot write ${path}: ${stderr.trim().split('\n').at(-1) ?? 'ffmpeg failed'}`,
    );
  }
}
