import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { optional, t } from '../core/schema.ts';
import { defineSink } from '../core/component.ts';
import { encodedOf } from '../core/encoded.ts';
import { FramewireError } from '../core/errors.ts';
import type { Mp4Muxer } from './mp4-muxer.ts';

const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'] as const;

/**
 * H.264 MP4 that plays in browsers and players, written as fragmented MP4: a
 * moov up front and a fragment per GOP, so a killed process leaves a playable
 * file up to the last whole fragment.
 *
 * The sink only muxes: it writes the access units an `encode` stage attached
 * as `meta.encoded`, timestamps from the frames' pts. A pipeline without an
 * `encode` stage gets one added at the end of its stages (`encoder: ffmpeg`,
 * libx264 High, no B-frames) that takes this sink's `crf`, `preset` and
 * `keyframeInterval`; with an explicit `encode` stage those three do not apply.
 * Any write failure ends the run with SINK_WRITE naming the file.
 *
 * One MP4 track holds one picture size. When the stream starts anew with other
 * parameter sets (an `encode` stage with `sizeChange: restart` after a live
 * source came back at another resolution), the current file is finished and
 * the stream goes on in a numbered next one, `name-2.mp4`, `name-3.mp4`, …,
 * logged and counted as NEXT_FILE. Timestamps stay the frames' own.
 */
export const fileSink = defineSink({
  type: 'file',
  doc: 'H.264 MP4 file, fragmented so that a crash leaves it playable',
  lossless: true,
  options: {
    path: t.string({ doc: 'Output .mp4 file; its directory is created', minLength: 1 }),
    crf: t.integer({
      doc: 'x264 quality of the implicit encode stage (none in the pipeline): lower is better and bigger (18 ≈ visually lossless)',
      default: 23,
      min: 0,
      max: 51,
    }),
    preset: t.enum(PRESETS, {
      doc: 'x264 speed/size trade-off of the implicit encode stage',
      default: 'veryfast',
    }),
    fps: optional(
      t.number({
        doc: "Frame rate for the duration of a lone last frame (default: the source's, else 30); timestamps come from the frames, so it does not retime the video",
        exclusiveMin: 0,
        max: 1000,
      }),
    ),
    keyframeInterval: t.number({
      doc: 'Seconds between key frames of the implicit encode stage (also the fragment length)',
      default: 1,
      exclusiveMin: 0,
      max: 60,
    }),
  },
  create(config, ctx) {
    const path = resolve(ctx.baseDir, config.path);
    mkdirSync(dirname(path), { recursive: true });
    const fps = config.fps ?? ctx.stream?.fps ?? 30;
    let muxer: Mp4Muxer | undefined;
    let failure: FramewireError | undefined;
    /** 1 for the file as named, 2 for `name-2.mp4`, … */
    let part = 1;
    let current = { path, display: config.path };

    const fail = (e: unknown) => {
      const why = e instanceof Error ? e.message : String(e);
      failure ??= new FramewireError('SINK_WRITE', `writing "${current.display}" failed: ${why}`, {
        component: ctx.name,
        cause: e,
      });
      return failure;
    };

    /** Finishes the current file and goes on in the next numbered one. */
    const nextFile = async (open: Mp4Muxer, to: string) => {
      const from = open.format ?? '';
      await open.finish();
      part++;
      const next = { path: numbered(path, part), display: numbered(config.path, part) };
      ctx.count('NEXT_FILE');
      ctx.log.warn(
        `${ctx.name}: the stream changed from ${from} to ${to}; "${current.display}" is finished, ` +
          `continuing in "${next.display}"`,
      );
      current = next;
      return new (await import('./mp4-muxer.ts')).Mp4Muxer(current.path, 1_000_000 / fps);
    };

    return {
      async write(frame) {
        if (failure) throw failure;
        const encoded = encodedOf(frame);
        if (!encoded) {
          // The encoder skipped this picture (counted there too), or no encoder ran.
          ctx.count('FRAME_UNENCODED');
          return;
        }
        try {
          // Loaded on first use: mediabunny costs a quarter second at every start otherwise.
          muxer ??= new (await import('./mp4-muxer.ts')).Mp4Muxer(path, 1_000_000 / fps);
          const config = encoded.decoderConfig;
          if (config && !muxer.fits(config))
            muxer = await nextFile(
              muxer,
              `${config.codec} ${config.codedWidth}x${config.codedHeight}`,
            );
          if (!(await muxer.add(encoded))) ctx.count('BEFORE_KEY_FRAME');
        } catch (e) {
          await muxer?.abort();
          throw fail(e);
        }
      },
      async close() {
        if (failure) {
          await muxer?.abort();
          throw failure;
        }
        try {
          await muxer?.finish();
        } catch (e) {
          await muxer?.abort();
          throw fail(e);
        }
      },
    };
  },
});

/** `out/cam.mp4` → `out/cam-2.mp4` for part 2 (a path without an extension gets `-2`). */
export function numbered(path: string, part: number): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}-${part}${ext}`);
}
