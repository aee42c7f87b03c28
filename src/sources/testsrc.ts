import { liveSourceOptions } from '../config/live-source-options.ts';
import { optional, t } from '../config/schema.ts';
import { defineSource } from '../core/component.ts';
import { LiveSource } from '../core/live-source.ts';
import { RawFrameReader } from './raw-frame-reader.ts';

const PATTERNS = [
  'testsrc2',
  'testsrc',
  'smptebars',
  'smptehdbars',
  'rgbtestsrc',
  'mandelbrot',
  'life',
  'color',
] as const;

/** Synthetic video from ffmpeg's lavfi generators: no camera or file needed. */
export const testsrcSource = defineSource({
  type: 'testsrc',
  doc: "Test pattern from ffmpeg's generators; with live: true it behaves like a camera",
  options: {
    pattern: t.enum(PATTERNS, { doc: 'Generator to use', default: 'testsrc2' }),
    size: t.string({ doc: 'Frame size WIDTHxHEIGHT', default: '1280x720', format: 'WIDTHxHEIGHT' }),
    rate: t.number({ doc: 'Frames per second', default: 30, exclusiveMin: 0, max: 1000 }),
    duration: optional(
      t.number({ doc: 'Seconds of video; absent means endless (until stopped)', exclusiveMin: 0 }),
    ),
    realtime: t.boolean({ doc: 'Produce frames at `rate` in real time', default: false }),
    live: t.boolean({
      doc: 'Behave like a camera: real-time, and drop by policy when the pipeline falls behind',
      default: false,
    }),
    ...liveSourceOptions,
  },
  create(config, ctx) {
    const size = /^(\d{2,5})x(\d{2,5})$/.exec(config.size);
    if (!size) throw new Error(`size must look like 1280x720, got "${config.size}"`);
    const generator =
      config.pattern === 'color'
        ? `color=c=gray:size=${config.size}:rate=${config.rate}`
        : `${config.pattern}=size=${config.size}:rate=${config.rate}`;
    const duration = config.duration;
    const reader = new RawFrameReader({
      inputArgs: [
        ...(config.realtime || config.live ? ['-re'] : []),
        '-f',
        'lavfi',
        '-i',
        duration !== undefined ? `${generator}:duration=${duration}` : generator,
      ],
      format: 'yuv420p',
      sourceId: `testsrc:${config.pattern}`,
      pool: ctx.pool,
      clock: ctx.clock,
      describe: `test pattern ${config.pattern}`,
      ...(duration !== undefined ? { frameLimit: Math.round(duration * config.rate) } : {}),
    });
    return config.live ? new LiveSource(reader, config.queue, config.dropPolicy, ctx.pool) : reader;
  },
});
