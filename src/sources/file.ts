import { resolve } from 'node:path';
import { optional, t } from '../config/schema.ts';
import { defineSource } from '../core/component.ts';
import { FallbackSource } from './fallback-source.ts';
import { RawFrameReader } from './raw-frame-reader.ts';
import { outputShapingArgs, shapingOptions } from './shaping.ts';
import { WebcodecsFileReader } from './webcodecs-file-reader.ts';

const URL_SCHEME = /^[a-z][a-z0-9+.-]+:\/\//i;

/** Anything ffmpeg can read: MP4, MKV, MOV, AVI, image sequences, HTTP URLs, … */
export const fileSource = defineSource({
  type: 'file',
  doc: 'Video file (anything ffmpeg reads); never drops a frame',
  options: {
    path: t.string({
      doc: 'Path of the video file (relative to the current directory), or a URL ffmpeg reads (http://, rtsp://)',
      minLength: 1,
    }),
    start: optional(t.number({ doc: 'Start this many seconds into the file', min: 0 })),
    duration: optional(t.number({ doc: 'Read at most this many seconds', exclusiveMin: 0 })),
    loop: t.boolean({
      doc: 'Restart from the beginning at the end, until stopped',
      default: false,
    }),
    realtime: t.boolean({
      doc: "Pace frames at the file's frame rate instead of as fast as possible",
      default: false,
    }),
    ...shapingOptions,
    decoder: t.enum(['auto', 'webcodecs', 'ffmpeg'], {
      doc: 'webcodecs decodes H.264 in-process (fastest); ffmpeg decodes anything in a child process; auto picks webcodecs for H.264 when no width/height/fps/rgb24 is asked for',
      default: 'auto',
    }),
  },
  check(config) {
    if (config.decoder !== 'webcodecs' || !isShaped(config)) return [];
    return [
      {
        key: 'decoder',
        message:
          'webcodecs cannot scale, resample or convert; width, height, fps and pixelFormat: rgb24 need decoder: ffmpeg (or auto)',
      },
    ];
  },
  create(config, ctx) {
    // A URL (http://, rtsp://, …) goes to ffmpeg as given; resolving it as a path
    // would turn `rtsp://` into `…/rtsp:/`.
    const path = URL_SCHEME.test(config.path) ? config.path : resolve(ctx.baseDir, config.path);
    const inputArgs = [
      ...(config.realtime ? ['-re'] : []),
      ...(config.loop ? ['-stream_loop', '-1'] : []),
      ...(config.start !== undefined ? ['-ss', String(config.start)] : []),
      ...(config.duration !== undefined ? ['-t', String(config.duration)] : []),
      '-i',
      path,
    ];
    const ffmpegReader = () =>
      new RawFrameReader({
        inputArgs,
        outputArgs: outputShapingArgs(config),
        format: config.pixelFormat,
        sourceId: config.path,
        pool: ctx.pool,
        clock: ctx.clock,
        describe: `video file "${config.path}"`,
      });
    const shaped = isShaped(config);
    if (config.decoder === 'ffmpeg' || (config.decoder === 'auto' && shaped)) return ffmpegReader();
    const inProcess = () => new WebcodecsFileReader(inputArgs, ctx, config.path);
    // `check` refused webcodecs with shaping at validation.
    if (config.decoder === 'webcodecs') return inProcess();
    // Not H.264 (or not decodable in-process): ffmpeg decodes it instead.
    return new FallbackSource(inProcess, ffmpegReader);
  },
});

/** Whether frames must be scaled, resampled or converted: only ffmpeg can. */
function isShaped(c: { width?: number; height?: number; fps?: number; pixelFormat: string }) {
  return (
    c.width !== undefined ||
    c.height !== undefined ||
    c.fps !== undefined ||
    c.pixelFormat !== 'yuv420p'
  );
}
