import { execFileSync } from 'node:child_process';
import { FramewireError } from '../core/errors.ts';
import { lastLines, resolveFfmpegPath } from '../core/ffmpeg.ts';
import { type Frame, frameByteLength, type PixelFormat } from '../core/frame.ts';

/**
 * A replacement image (PNG, JPEG, anything ffmpeg reads), decoded with the
 * bundled ffmpeg and stretched to the frame's size in the frame's pixel
 * format, once per size: a stream keeps one size, so in practice once.
 * Decoding blocks for the few milliseconds it takes, which only happens on the
 * first frame and when the stream changes size.
 */
export class BackgroundImage {
  #key = '';
  #pixels: Uint8Array = new Uint8Array(0);

  constructor(readonly path: string) {}

  /** The image as a frame of `frame`'s size and format. */
  pixelsFor(frame: Frame): Uint8Array {
    const key = `${frame.width}x${frame.height}/${frame.format}`;
    if (key !== this.#key) {
      this.#pixels = decodeImage(this.path, frame.width, frame.height, frame.format);
      this.#key = key;
    }
    return this.#pixels;
  }
}

/** One picture of `path`, scaled to `width × height`, as raw `format` bytes. */
export function decodeImage(
  path: string,
  width: number,
  height: number,
  format: PixelFormat,
): Uint8Array {
  const expected = frameByteLength(format, width, height);
  let out: Buffer;
  try {
    out = execFileSync(
      resolveFfmpegPath(),
      [
        '-v',
        'error',
        '-i',
        path,
        '-frames:v',
        '1',
        '-vf',
        `scale=${width}:${height}`,
        '-f',
        'rawvideo',
        '-pix_fmt',
        format,
        'pipe:1',
      ],
      { maxBuffer: expected + 1024, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '');
    throw new FramewireError(
      'CONFIG_INVALID',
      `cannot read the replacement image ${path}: ${lastLines(stderr) || (err as Error).message}`,
      {
        hint: 'give `image` a picture file ffmpeg can read (PNG, JPEG)',
        cause: err,
      },
    );
  }
  if (out.length !== expected) {
    throw new FramewireError(
      'CONFIG_INVALID',
      `the replacement image ${path} decoded to ${out.length} bytes, expected ${expected}`,
      {
        hint: 'give `image` a still picture (PNG, JPEG)',
      },
    );
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
