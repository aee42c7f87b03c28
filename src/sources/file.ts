import { resolve } from 'node:path';
import { optional, t } from '../config/schema.ts';
import { defineSource } from '../core/component.ts';
import { RawFrameReader } from './raw-frame-reader.ts';
import { outputShapingArgs, shapingOptions } from './shaping.ts';

/** Anything ffmpeg can read: MP4, MKV, MOV, AVI, image sequences, HTTP URLs, … */
export const fileSource = defineSource({
  type: 'file',
  doc: 'Video file (anything ffmpeg reads); never drops a frame',
  options: {
    path: t.string({
      doc: 'Path of the video file (relative to the current directory)',
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
  },
  create(config, ctx) {
    const path = resolve(ctx.baseDir, config.path);
    const inputArgs = [
      ...(config.realtime ? ['-re'] : []),
      ...(config.loop ? ['-stream_loop', '-1'] : []),
      ...(config.start !== undefined ? ['-ss', String(config.start)] : []),
      ...(config.duration !== undefined ? ['-t', String(config.duration)] : []),
      '-i',
      path,
    ];
    return new RawFrameReader({
      inputArgs,
      outputArgs: outputShapingArgs(config),
      format: config.pixelFormat,
      sourceId: config.path,
      pool: ctx.pool,
      clock: ctx.clock,
      describe: `video file "${config.path}"`,
    });
  },
});
