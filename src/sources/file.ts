import { redactUrl } from '../core/errors.ts';
import { resolvedHttpInput } from './resolved-host.ts';
import { resolve } from 'node:path';
import { optional, t } from '../core/schema.ts';
import { defineSource } from '../core/component.ts';
import { FallbackSource } from './fallback-source.ts';
import { expectedFrames } from './frame-total.ts';
import { PacketFileReader } from './packet-file-reader.ts';
import { RawFrameReader } from './raw-frame-reader.ts';
import { shapingFilters, shapingOptions } from './shaping.ts';

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
    // 4:2:0 frames and H.264 encoders need even sizes: refused here, not mid-run.
    const odd = (['width', 'height'] as const).flatMap((key) => {
      const value = config[key];
      return value === undefined || value % 2 === 0
        ? []
        : [
            {
              key,
              message: `${key} must be even (4:2:0 video and H.264 need even sizes), got ${value}`,
            },
          ];
    });
    if (config.decoder !== 'webcodecs' || !isShaped(config)) return odd;
    return [
      ...odd,
      {
        key: 'decoder',
        message:
          'webcodecs cannot scale, resample or convert; width, height, fps and pixelFormat: rgb24 need decoder: ffmpeg (or auto)',
      },
    ];
  },
  async create(config, ctx) {
    // A URL (http://, rtsp://, …) goes to ffmpeg as given, its host name resolved
    // here (the bundled static ffmpeg crashes resolving names); resolving it as
    // a path would turn `rtsp://` into `…/rtsp:/`.
    const input = URL_SCHEME.test(config.path)
      ? await resolvedHttpInput(config.path, redactUrl(config.path))
      : { url: resolve(ctx.baseDir, config.path), inputArgs: [] };
    const path = input.url;
    // `-ss` seeks to the key frame before `start` and shifts timestamps so that
    // `start` is 0 (both readers then drop what lies before it). `duration` is
    // never ffmpeg's `-t`, whose cut depends on decode timestamps and reorder
    // delay (32 frames for 3 s at 10 fps): frames shown are exactly those with
    // start ≤ t < start + duration.
    const inputArgs = [
      ...(config.realtime ? ['-re'] : []),
      ...(config.loop ? ['-stream_loop', '-1'] : []),
      ...(config.start !== undefined ? ['-ss', String(config.start)] : []),
      ...input.inputArgs,
      '-i',
      path,
    ];
    const total = { start: config.start, duration: config.duration, loop: config.loop };
    // ffmpeg's decoder threads, from the pipeline's thread budget (README "Threads and cores").
    const decodeThreads = ctx.threads ? ['-threads', String(ctx.threads.decode)] : [];
    const ffmpegReader = () =>
      new RawFrameReader({
        inputArgs: [...inputArgs.slice(0, -2), ...decodeThreads, ...inputArgs.slice(-2)],
        filters: [
          ...(config.duration !== undefined ? [`trim=end=${config.duration}`] : []),
          ...shapingFilters(config),
        ],
        format: config.pixelFormat,
        sourceId: config.path,
        pool: ctx.pool,
        clock: ctx.clock,
        ...(ctx.cpu ? { cpu: ctx.cpu } : {}),
        describe: `video file "${config.path}"`,
        frameTotal: (input) =>
          expectedFrames({
            ...total,
            containerDuration: input.duration,
            fps: config.fps ?? input.fps,
          }),
      });
    const shaped = isShaped(config);
    if (config.decoder === 'ffmpeg' || (config.decoder === 'auto' && shaped)) return ffmpegReader();
    // Packets only: the assembler adds the `decode` stage after this source.
    const packets = () =>
      new PacketFileReader({
        inputArgs,
        duration: config.duration,
        total,
        sourceId: config.path,
        clock: ctx.clock,
        ...(ctx.cpu ? { cpu: ctx.cpu } : {}),
      });
    // `check` refused webcodecs with shaping at validation.
    if (config.decoder === 'webcodecs') return packets();
    // Not H.264 (or not decodable in-process): ffmpeg decodes it instead.
    return new FallbackSource(packets, ffmpegReader);
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
