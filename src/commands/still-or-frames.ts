import { FramewireError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { readFrames } from './media-io.ts';

/** The only frame of a still image, with what `work` made of it and how long that took. */
export interface Still<R> {
  readonly frame: Frame;
  readonly result: R;
  readonly ms: number;
}

/**
 * Runs `work` on every frame of `input` for a command that prints an image's
 * result one way and a video's another: the first result is held back until
 * it is known whether a second frame follows. A video hands every frame to
 * `perFrame` in order and resolves to undefined; a still image resolves to
 * its one result, for the caller to print. No frame at all is an error.
 */
export async function stillOrFrames<R>(
  input: string,
  work: (frame: Frame) => Promise<R>,
  perFrame: (frame: Frame, result: R) => void,
): Promise<Still<R> | undefined> {
  let first: Still<R> | undefined;
  let frames = 0;
  for await (const frame of readFrames(input)) {
    const started = performance.now();
    const result = await work(frame);
    const ms = performance.now() - started;
    frames++;
    if (frames === 1) {
      first = { frame, result, ms };
      continue;
    }
    if (frames === 2) perFrame(first!.frame, first!.result);
    perFrame(frame, result);
  }
  if (!first) throw new FramewireError('SOURCE_READ', `${input} has no frames`);
  return frames === 1 ? first : undefined;
}
