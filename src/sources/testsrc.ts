import { liveSourceOptions } from '../core/live-source-options.ts';
import { optional, t } from '../core/schema.ts';
import { defineSource } from '../core/component.ts';
import { asLiveSource } from '../core/live-source.ts';
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
    size: t.size({ doc: 'Frame size', default: '1280x720' }),
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
      ...(ctx.cpu ? { cpu: ctx.cpu } : {}),
      ...(duration !== undefined ? { frameLimit: Math.round(duration * config.rate) } : {}),
    });
    return config.live ? asLiveSource(reader) : reader;
  },
});
