import type { OperatorFunction } from 'rxjs';
import { type InferFields, optional, t } from '../core/schema.ts';
import { type ComponentContext, defineStage } from '../core/component.ts';
import { sessionOperator } from '../core/session-operator.ts';
import type { Frame } from '../core/frame.ts';
import { ffmpegEncoder, X264_PRESETS } from './encode-ffmpeg.ts';
import { EncodeSession, type EncoderFactory } from './encode-session.ts';
import { type AvcProfile, webCodecsEncoder } from './encode-webcodecs.ts';

/** Bits per pixel per frame of the default bitrate: ~2.8 Mbit/s at 720p30, ~6.2 at 1080p30. */
export const DEFAULT_BPP = 0.1;
/** Frame rate assumed when the source does not know its own. */
const FALLBACK_FPS = 30;

const options = {
  encoder: t.enum(['webcodecs', 'ffmpeg'], {
    doc: 'webcodecs: in-process (node-webcodecs, openh264); ffmpeg: libx264 in the bundled ffmpeg',
    default: 'ffmpeg',
  }),
  bitrate: optional(
    t.integer({
      doc: 'Target bits per second (default: 0.1 bit per pixel per frame, ~2.8 Mbit/s at 720p30)',
      min: 10_000,
      max: 500_000_000,
    }),
  ),
  crf: optional(
    t.integer({
      doc: 'ffmpeg only: constant quality instead of bitrate; lower is better and bigger (18 ≈ visually lossless)',
      min: 0,
      max: 51,
    }),
  ),
  preset: optional(
    t.enum(X264_PRESETS, {
      doc: 'ffmpeg only: x264 speed/size trade-off (default: from latencyMode)',
    }),
  ),
  keyframeInterval: t.number({
    doc: 'Seconds between key frames (by timestamp with webcodecs, by frame count with ffmpeg)',
    default: 1,
    exclusiveMin: 0,
    max: 60,
  }),
  latencyMode: t.enum(['quality', 'realtime'], {
    doc: 'ffmpeg: quality = x264 preset medium, realtime = veryfast (both zero-delay); openh264 ignores it',
    default: 'quality',
  }),
  profile: optional(
    t.enum(['baseline', 'main', 'high'], {
      doc: 'H.264 profile (default: high with ffmpeg; baseline with webcodecs, the only one openh264 writes)',
    }),
  ),
  hardware: t.enum(['no-preference', 'prefer-hardware', 'prefer-software'], {
    doc: 'webcodecs only: hardwareAcceleration hint; other than prefer-software, NVENC/QSV/VA-API are probed first',
    default: 'prefer-software',
  }),
  sizeChange: t.enum(['scale', 'restart'], {
    doc: 'A live source back at another size: scale it to the first size, letterboxed (one stream, one file), or restart the encoder at the new size (the file sink goes on in a numbered next file)',
    default: 'scale',
  }),
  threads: optional(
    t.integer({
      doc: 'ffmpeg only: x264 threads; default: from the thread budget (README "Threads and cores"); openh264 (webcodecs) is not configurable',
      min: 1,
      max: 64,
    }),
  ),
  queue: t.integer({
    doc: 'Pictures inside the encoder (encodeQueueSize) before the stage waits',
    min: 1,
    max: 64,
    default: 8,
  }),
};

export type EncodeConfig = InferFields<typeof options>;

/**
 * Encodes yuv420p frames to H.264 and attaches each access unit as
 * `frame.meta.encoded` (see `core/encoded.ts`); the pixels pass on untouched.
 * No B-frames, so packets come out in input order, one per frame.
 */
export const encodeStage = defineStage({
  type: 'encode',
  doc: 'Encode frames to H.264 (WebCodecs or ffmpeg); the file sink muxes the packets without re-encoding',
  options,
  create: (config, ctx) => encodeOperator(config, ctx),
});

/** The profile actually requested: the encoder's best one unless the user chose. */
export function profileOf(config: EncodeConfig): AvcProfile {
  return config.profile ?? (config.encoder === 'ffmpeg' ? 'high' : 'baseline');
}

/** The bitrate actually requested for a stream of this size and rate. */
export function bitrateOf(
  config: EncodeConfig,
  width: number,
  height: number,
  fps: number,
): number {
  return config.bitrate ?? Math.round(DEFAULT_BPP * width * height * fps);
}

/** Chooses the backend; the stream format reaches it with the first frame. */
function backend(config: EncodeConfig, ctx: ComponentContext): EncoderFactory {
  const profile = profileOf(config);
  return (format, cb) => {
    const bitrate = bitrateOf(config, format.width, format.height, format.fps);
    const { latencyMode, keyframeInterval, crf, preset } = config;
    return config.encoder === 'ffmpeg'
      ? ffmpegEncoder(
          {
            profile,
            bitrate,
            latencyMode,
            keyframeInterval,
            ...(crf === undefined ? {} : { crf }),
            ...(preset === undefined ? {} : { preset }),
            ...encodeThreads(config, ctx),
          },
          ctx,
        )(format, cb)
      : webCodecsEncoder(
          { profile, bitrate, latencyMode, hardware: config.hardware, queue: config.queue },
          ctx,
        )(format, cb);
  };
}

/** x264 threads: the stage's own, else the pipeline's budget, else x264's choice. */
function encodeThreads(config: EncodeConfig, ctx: ComponentContext): { threads?: number } {
  const threads = config.threads ?? ctx.threads?.encode;
  return threads === undefined ? {} : { threads };
}

/** The operator behind `encodeStage`; `factory` is swappable so tests can fake the encoder. */
export function encodeOperator(
  config: EncodeConfig,
  ctx: ComponentContext,
  factory: EncoderFactory = backend(config, ctx),
): OperatorFunction<Frame, Frame> {
  const sessionOptions = {
    queue: config.queue,
    keyframeInterval: config.keyframeInterval * 1_000_000,
    fallbackFps: FALLBACK_FPS,
    sizeChange: config.sizeChange,
  };
  return sessionOperator(
    ctx,
    (emit, fail) => new EncodeSession(ctx, sessionOptions, factory, emit, fail),
  );
}
