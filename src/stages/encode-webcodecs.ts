import { VideoEncoder, type VideoEncoderConfig, VideoFrame } from 'node-webcodecs';
import type { ComponentContext } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';
import { fromNative, OwedCallbacks } from '../core/native-callback.ts';
import { forEachNal, NalType, parseSps } from '../codec/h264.ts';
import type { EncodeFormat, EncoderFactory } from './encode-session.ts';

export type AvcProfile = 'baseline' | 'main' | 'high';

export interface WebCodecsEncodeOptions {
  readonly profile: AvcProfile;
  readonly bitrate: number;
  readonly latencyMode: 'quality' | 'realtime';
  readonly hardware: 'no-preference' | 'prefer-hardware' | 'prefer-software';
  /** Bound on `encodeQueueSize` before `encode` waits. */
  readonly queue: number;
}

/** profile_idc and constraint flags of `avc1.PPCC..` (Constrained Baseline sets constraint_set0/1). */
const PROFILES: Record<AvcProfile, { idc: number; constraints: number }> = {
  baseline: { idc: 66, constraints: 0xc0 },
  main: { idc: 77, constraints: 0x40 },
  high: { idc: 100, constraints: 0x00 },
};

/** H.264 levels (Table A-1): level_idc, max macroblocks per second, max frame size in macroblocks. */
const LEVELS: readonly (readonly [number, number, number])[] = [
  [0x1e, 40_500, 1_620],
  [0x1f, 108_000, 3_600],
  [0x20, 216_000, 5_120],
  [0x28, 245_760, 8_192],
  [0x2a, 522_240, 8_704],
  [0x32, 589_824, 22_080],
  [0x33, 983_040, 36_864],
  [0x34, 2_073_600, 36_864],
];

/** The smallest level (3.0 up) whose frame size and macroblock rate fit the stream. */
export function avcLevel(format: EncodeFormat): number {
  const mbs = Math.ceil(format.width / 16) * Math.ceil(format.height / 16);
  const level = LEVELS.find(([, rate, size]) => mbs <= size && mbs * format.fps <= rate);
  return (level ?? LEVELS[LEVELS.length - 1]!)[0];
}

/** `avc1.PPCCLL` for the requested profile at a level that fits the stream. */
export function requestedCodec(profile: AvcProfile, format: EncodeFormat): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const p = PROFILES[profile];
  return `avc1.${hex(p.idc)}${hex(p.constraints)}${hex(avcLevel(format))}`;
}

/**
 * node-webcodecs' `VideoEncoder`. Its static build encodes with openh264, which
 * writes Constrained Baseline whatever profile the codec string asks for; a
 * build linked against a system FFmpeg (or a hardware encoder) may honour main
 * and high. Output is Annex B with SPS/PPS before every IDR.
 */
export function webCodecsEncoder(
  opts: WebCodecsEncodeOptions,
  ctx: ComponentContext,
): EncoderFactory {
  return async (format, cb) => {
    const config: VideoEncoderConfig = {
      codec: requestedCodec(opts.profile, format),
      width: format.width,
      height: format.height,
      bitrate: opts.bitrate,
      framerate: format.fps,
      latencyMode: opts.latencyMode,
      hardwareAcceleration: opts.hardware,
      avc: { format: 'annexb' },
    };
    let checked = false;
    // Each picture owes an output until it comes (or the encoder closes).
    const owed = new OwedCallbacks();
    const onError = (e: unknown) => cb.error(e instanceof Error ? e : new Error(String(e)));
    const encoder = new VideoEncoder({
      output: fromNative((chunk) => {
        owed.settle();
        const data = new Uint8Array(chunk.byteLength);
        chunk.copyTo(data);
        const key = chunk.type === 'key';
        if (key && !checked) {
          checked = true;
          warnOnProfile(data, opts.profile, ctx);
        }
        cb.output({ data, key, timestamp: chunk.timestamp });
      }, onError),
      error: fromNative((e) => cb.error(e), onError),
    });
    // No isConfigSupported() probe: it opens a second native encoder, which
    // repeats the native library's start-up messages; configure() throws instead.
    try {
      encoder.configure(config);
    } catch (e) {
      encoder.close();
      throw new FramewireError(
        'STAGE_FAILED',
        `${ctx.name}: cannot encode ${config.codec} at ${format.width}x${format.height}: ${(e as Error).message}`,
        {
          component: ctx.name,
          cause: e,
          hint: 'Try encoder: ffmpeg (libx264 from the bundled ffmpeg).',
        },
      );
    }
    return {
      async encode(frame, keyFrame) {
        const picture = new VideoFrame(frame.data, {
          format: 'I420',
          codedWidth: frame.width,
          codedHeight: frame.height,
          timestamp: frame.pts,
        });
        try {
          encoder.encode(picture, { keyFrame });
          owed.add();
        } finally {
          // The native frame holds its own copy of the pixels; ours stay untouched.
          picture.close();
        }
        while (encoder.encodeQueueSize >= opts.queue && encoder.state === 'configured') {
          await new Promise<void>((resolve) =>
            encoder.addEventListener('dequeue', resolve, { once: true }),
          );
        }
      },
      flush: () => encoder.flush(),
      close: () => {
        owed.clear();
        if (encoder.state !== 'closed') encoder.close();
      },
    };
  };
}

/** Says once when the stream's SPS shows a different profile than the one asked for. */
function warnOnProfile(au: Uint8Array, profile: AvcProfile, ctx: ComponentContext): void {
  forEachNal(au, (type, header, end) => {
    if (type !== NalType.sps) return;
    const got = parseSps(au.subarray(header, end)).profileIdc;
    if (got !== PROFILES[profile].idc)
      ctx.log.warn(
        `${ctx.name}: asked for H.264 ${profile} profile, the encoder wrote profile_idc ${got}` +
          ' (openh264 writes Constrained Baseline only); use encoder: ffmpeg for main/high',
      );
  });
}
