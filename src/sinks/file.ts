import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { optional, t } from '../config/schema.ts';
import { defineSink } from '../core/component.ts';
import { encodedOf } from '../core/encoded.ts';
import { FramewireError } from '../core/errors.ts';
import { ffmpegPath, lastLines } from '../core/ffmpeg.ts';
import type { Frame } from '../core/frame.ts';
import type { Mp4Muxer } from './mp4-muxer.ts';

const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'] as const;

/**
 * H.264 MP4 that plays in browsers and players (yuv420p, High profile), written
 * as fragmented MP4: a moov up front and a fragment every `fragmentSeconds`, so
 * a killed process leaves a playable file up to the last fragment.
 *
 * Frames that carry `meta.encoded` (an `encode` stage ran) are muxed as they
 * are, without re-encoding: a fragment per GOP, timestamps from the frames'
 * pts; `crf`, `preset`, `fps` and `keyframeInterval` then do not apply (the
 * encode stage has its own). Which way a run goes is decided by its first frame.
 */
export const fileSink = defineSink({
  type: 'file',
  doc: 'H.264 MP4 file, fragmented so that a crash leaves it playable',
  lossless: true,
  options: {
    path: t.string({ doc: 'Output .mp4 file; its directory is created', minLength: 1 }),
    crf: t.integer({
      doc: 'x264 quality: lower is better and bigger (18 ≈ visually lossless)',
      default: 23,
      min: 0,
      max: 51,
    }),
    preset: t.enum(PRESETS, { doc: 'x264 speed/size trade-off', default: 'veryfast' }),
    fps: optional(
      t.number({
        doc: "Frame rate written to the file (default: the source's)",
        exclusiveMin: 0,
        max: 1000,
      }),
    ),
    keyframeInterval: t.number({
      doc: 'Seconds between key frames (also the fragment length)',
      default: 1,
      exclusiveMin: 0,
      max: 60,
    }),
  },
  create(config, ctx) {
    const path = resolve(ctx.baseDir, config.path);
    mkdirSync(dirname(path), { recursive: true });
    const fps = config.fps ?? ctx.stream?.fps ?? 30;
    const live = ctx.stream?.live ?? false;
    let proc: ChildProcess | undefined;
    let stderr = '';
    let exit: Promise<number | null> | undefined;
    let failure: Error | undefined;
    /** Set when the first frame arrives already encoded: then packets are muxed, not pixels. */
    let muxer: Mp4Muxer | undefined;
    let raw = false;

    const fail = (what: string) =>
      new FramewireError('SINK_WRITE', `writing "${config.path}" failed: ${what}`, {
        component: ctx.name,
      });

    // Started at the first frame: the format is decided once, from what arrives.
    const start = (frame: Frame) => {
      const gop = Math.max(1, Math.round(config.keyframeInterval * fps));
      const args = [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        // Live sources drop frames: stamp arrivals so playback keeps real time.
        ...(live ? ['-use_wallclock_as_timestamps', '1'] : ['-framerate', String(fps)]),
        '-f',
        'rawvideo',
        '-pix_fmt',
        frame.format,
        '-s',
        `${frame.width}x${frame.height}`,
        '-i',
        'pipe:0',
        '-c:v',
        'libx264',
        '-preset',
        config.preset,
        '-crf',
        String(config.crf),
        '-pix_fmt',
        'yuv420p',
        '-profile:v',
        'high',
        '-g',
        String(gop),
        '-keyint_min',
        String(gop),
        '-sc_threshold',
        '0',
        ...(live ? ['-vsync', 'vfr'] : []),
        '-movflags',
        '+frag_keyframe+empty_moov+default_base_moof',
        '-y',
        path,
      ];
      // Own process group: a Ctrl-C at the terminal reaches framewire, which then
      // finishes the file; ffmpeg must not die first with frames still in flight.
      proc = spawn(ffmpegPath, args, { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (s: string) => {
        stderr = (stderr + s).slice(-4096);
      });
      proc.stdin!.on('error', () => {});
      const p = proc;
      exit = new Promise((done) => p.on('close', (code) => done(code)));
      void exit.then((code) => {
        if (code !== 0) failure ??= fail(lastLines(stderr) || `ffmpeg exited with ${code}`);
      });
    };

    const mux = async (frame: Frame) => {
      const encoded = encodedOf(frame);
      // The encoder skipped this picture (counted there too): nothing to write.
      if (!encoded) {
        ctx.count('FRAME_UNENCODED');
        return;
      }
      // Loaded on first use: mediabunny costs a quarter second at every start otherwise.
      muxer ??= new (await import('./mp4-muxer.ts')).Mp4Muxer(path, 1_000_000 / fps);
      try {
        if (!(await muxer.add(encoded))) ctx.count('BEFORE_KEY_FRAME');
      } catch (e) {
        failure ??= fail((e as Error).message);
        throw failure;
      }
    };

    return {
      write(frame) {
        if (failure) throw failure;
        if (muxer || (!raw && encodedOf(frame))) return mux(frame);
        raw = true;
        if (!proc) start(frame);
        const stdin = proc!.stdin!;
        // Resolve only when the bytes left our buffer: the frame's memory goes back
        // to the pool right after, and must not be overwritten while still queued.
        return new Promise<void>((done, reject) => {
          stdin.write(frame.data, (err) => (err ? reject(failure ?? fail(err.message)) : done()));
        });
      },
      async close() {
        if (muxer) {
          try {
            await muxer.finish();
          } catch (e) {
            failure ??= fail((e as Error).message);
          }
          if (failure) throw failure;
          return;
        }
        if (!proc || !exit) return;
        proc.stdin!.end();
        await exit;
        if (failure) throw failure;
      },
    };
  },
});
