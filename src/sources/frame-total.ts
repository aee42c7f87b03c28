/** What a file source knows about how much of the input it will read. */
export interface FrameTotalInput {
  /** The input's duration in seconds, as its container states it. */
  readonly containerDuration: number | undefined;
  /** Nominal (average) frames per second. */
  readonly fps: number | undefined;
  readonly start?: number | undefined;
  readonly duration?: number | undefined;
  readonly loop?: boolean;
}

/**
 * The number of frames a file source will deliver, for progress and ETA:
 * the seconds it reads (the container's duration after `start`, at most
 * `duration`) times the frame rate. ffmpeg's stream dump states the duration,
 * not nb_frames, so this is the container's duration × fps: exact for
 * constant-rate files, an estimate for variable-rate ones. Unknown (undefined)
 * when looping without a duration, or when the container states no duration or rate.
 */
export function expectedFrames(input: FrameTotalInput): number | undefined {
  const { containerDuration, fps } = input;
  if (!fps) return undefined;
  if (input.loop)
    return input.duration === undefined ? undefined : Math.round(input.duration * fps);
  if (containerDuration === undefined) return undefined;
  const available = Math.max(0, containerDuration - (input.start ?? 0));
  const seconds = Math.min(available, input.duration ?? Number.POSITIVE_INFINITY);
  return Math.round(seconds * fps);
}
