import { nalUnits } from '../codec/avc.ts';
import type { ComponentContext } from '../core/component.ts';
import { FfmpegProcess } from '../core/ffmpeg-process.ts';
import { AviVideoParser } from './avi-video-parser.ts';
import type { EncodeFormat, EncoderFactory } from './encode-session.ts';
import type { AvcProfile } from './encode-webcodecs.ts';

/** x264 speed/size presets offered, fastest first. */
export const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
] as const;
export type X264Preset = (typeof X264_PRESETS)[number];

export interface FfmpegEncodeOptions {
  readonly profile: AvcProfile;
  /** Bits per second, VBV-capped; ignored when `crf` is set. */
  readonly bitrate: number;
  /** Constant quality instead of a bitrate (what files want). */
  readonly crf?: number;
  readonly latencyMode: 'quality' | 'realtime';
  /** Overrides the preset `latencyMode` picks. */
  readonly preset?: X264Preset;
  /** Seconds between key frames; x264 counts them in frames at the nominal rate. */
  readonly keyframeInterval: number;
  /** x264 threads; absent lets x264 choose (about 1.5 × the cores). */
  readonly threads?: number;
}

/**
 * Zero-delay x264 in both modes (zerolatency: no lookahead, no B-frames, slice
 * threads instead of frame threads): the stage must not need more pictures in
 * than the pipeline's `maxInFlight` lets in before the first comes out, or the
 * run stalls. `quality` buys compression per bit with a slower preset.
 */
const LATENCY_PRESET: Record<FfmpegEncodeOptions['latencyMode'], X264Preset> = {
  realtime: 'veryfast',
  quality: 'medium',
};

/** The ffmpeg arguments: raw yuv420p in on stdin, H.264 (Annex B) in AVI out on stdout. */
export function ffmpegEncodeArgs(opts: FfmpegEncodeOptions, format: EncodeFormat): string[] {
  const gop = Math.max(1, Math.round(opts.keyframeInterval * format.fps));
  const preset = opts.preset ?? LATENCY_PRESET[opts.latencyMode];
  const rate =
    opts.crf === undefined
      ? // One-second VBV: the rate holds over short spans, as streaming needs.
        [
          ...['-b:v', String(opts.bitrate), '-maxrate', String(opts.bitrate)],
          ...['-bufsize', String(opts.bitrate)],
        ]
      : ['-crf', String(opts.crf)];
  return [
    '-loglevel',
    'error',
    ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${format.width}x${format.height}`],
    ...['-framerate', String(format.fps), '-i', 'pipe:0'],
    ...['-c:v', 'libx264', '-preset', preset, '-tune', 'zerolatency', '-profile:v', opts.profile],
    ...['-pix_fmt', 'yuv420p', '-bf', '0', ...rate],
    ...(opts.threads === undefined ? [] : ['-threads', String(opts.threads)]),
    ...['-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0'],
    // One access unit per picture, written the moment it exists.
    ...['-vsync', 'passthrough', '-flush_packets', '1', '-f', 'avi', 'pipe:1'],
  ];
}

/** NAL unit type 5: a slice of an IDR picture. */
const IDR = 5;

/**
 * libx264 in a bundled-ffmpeg child process. AVI frames each access unit and
 * keeps x264's own Annex B with in-band SPS/PPS (see `avi-video-parser.ts`), so
 * the packets go on exactly as x264 wrote them.
 */
export function ffmpegEncoder(opts: FfmpegEncodeOptions, ctx: ComponentContext): EncoderFactory {
  return async (format, cb) => {
    const proc = new FfmpegProcess({
      args: ffmpegEncodeArgs(opts, format),
      stdin: true,
      stdout: true,
      errorCode: 'STAGE_FAILED',
      component: ctx.name,
      ...(ctx.cpu ? { cpu: ctx.cpu } : {}),
    });
    let closing = false;
    const parser = new AviVideoParser();
    const onData = (chunk: Buffer) => {
      try {
        for (const data of parser.push(chunk)) {
          const key = nalUnits(data).some((nal) => ((nal[0] ?? 0) & 0x1f) === IDR);
          cb.output({ data, key });
        }
      } catch (e) {
        cb.error(new Error(`ffmpeg wrote an unreadable stream: ${(e as Error).message}`));
        proc.kill();
      }
    };
    // Parsing ffmpeg's output (and what the encoded frames then go through) is this stage's work.
    proc.stdout.on('data', ctx.cpu ? ctx.cpu.bind(onData) : onData);
    const exited = proc.exited.then((exit) => {
      // Asked-for exits (end of input, close()) are normal; the session names the stage.
      const error = closing && exit.code === 0 ? undefined : proc.errorFor(exit);
      if (error) cb.error(error);
    });

    return {
      // Resolves when the pipe took the bytes: ffmpeg reads at its own pace.
      encode: (frame) => proc.write(frame.data).catch(() => {}),
      async flush() {
        closing = true;
        proc.stdin.end();
        await exited;
      },
      close() {
        closing = true;
        proc.kill();
      },
    };
  };
}
