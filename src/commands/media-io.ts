import { FramewireError } from '../core/errors.ts';
import { ffmpegPath as bundledPath } from '../core/ffmpeg.ts';
import { type FfmpegExit, FfmpegProcess } from '../core/ffmpeg-process.ts';
import { type Frame, frameByteLength } from '../core/frame.ts';

/** The ffmpeg binary (`FRAMEWIRE_FFMPEG`, else the bundled one), for callers that run it directly. */
export const ffmpegPath: string = bundledPath;

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
  let size: { width: number; height: number } | undefined;
  let inOutput = false;
  let sizeKnown: () => void = () => {};
  const sizeReady = new Promise<void>((resolve) => {
    sizeKnown = resolve;
  });
  const child = new FfmpegProcess({
    args: ['-i', path, '-f', 'rawvideo', '-pix_fmt', format, 'pipe:1'],
    stdout: true,
    errorCode: 'SOURCE_OPEN',
    task: `cannot read ${path}`,
    onStderrLine: (line) => {
      if (line.startsWith('Output #0')) inOutput = true;
      const m = inOutput && !size ? /Video: rawvideo.*?, (\d+)x(\d+)/.exec(line) : null;
      if (m) {
        size = { width: Number(m[1]), height: Number(m[2]) };
        sizeKnown();
      }
    },
  });
  void child.exited.then(() => sizeKnown());

  try {
    await sizeReady;
    if (!size) throw unreadable(path, child, await child.exited);
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
    const exit = await child.exited;
    if (exit.code !== 0 && seq === 0) throw unreadable(path, child, exit);
  } finally {
    await child.stop();
  }
}

/** One clear line from ffmpeg's complaint (its last line names the problem). */
function unreadable(path: string, child: FfmpegProcess, exit: FfmpegExit): FramewireError {
  const failed = child.errorFor(exit);
  if (exit.spawnError && failed) return failed;
  const lines = child.stderrText
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
  const child = new FfmpegProcess({
    args: [
      ...['-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24'],
      ...['-s', `${width}x${height}`, '-i', 'pipe:0', '-frames:v', '1', '-update', '1', path],
    ],
    stdin: true,
    errorCode: 'SINK_WRITE',
    task: `cannot write ${path}`,
  });
  // A failed write is reported through the exit, with ffmpeg's own reason.
  await child.write(rgb).catch(() => {});
  await child.end();
}
