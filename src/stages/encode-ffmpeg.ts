import { spawn } from 'node:child_process';
import { lengthPrefixedToAnnexB, parseAvcConfigurationRecord } from '../core/avc.ts';
import { ffmpegPath, lastLines } from '../core/ffmpeg.ts';
import type { EncodeFormat, EncoderFactory } from './encode-session.ts';
import type { AvcProfile } from './encode-webcodecs.ts';
import { FlvVideoParser } from './flv-video-parser.ts';

export interface FfmpegEncodeOptions {
  readonly profile: AvcProfile;
  readonly bitrate: number;
  readonly latencyMode: 'quality' | 'realtime';
  /** Seconds between key frames; x264 counts them in frames at the nominal rate. */
  readonly keyframeInterval: number;
}

/**
 * Zero-delay x264 in both modes (zerolatency: no lookahead, no B-frames, slice
 * threads instead of frame threads): the stage must not need more pictures in
 * than the pipeline's `maxInFlight` lets in before the first comes out, or the
 * run stalls. `quality` buys compression per bit with a slower preset.
 */
const LATENCY_ARGS: Record<FfmpegEncodeOptions['latencyMode'], string[]> = {
  realtime: ['-preset', 'veryfast', '-tune', 'zerolatency'],
  quality: ['-preset', 'medium', '-tune', 'zerolatency'],
};

/** The ffmpeg command line: raw yuv420p in on stdin, H.264 in FLV out on stdout. */
export function ffmpegEncodeArgs(opts: FfmpegEncodeOptions, format: EncodeFormat): string[] {
  const gop = Math.max(1, Math.round(opts.keyframeInterval * format.fps));
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${format.width}x${format.height}`],
    ...['-framerate', String(format.fps), '-i', 'pipe:0'],
    ...['-c:v', 'libx264', ...LATENCY_ARGS[opts.latencyMode], '-profile:v', opts.profile],
    ...['-pix_fmt', 'yuv420p', '-bf', '0'],
    // One-second VBV: the rate holds over short spans, as streaming needs.
    ...['-b:v', String(opts.bitrate), '-maxrate', String(opts.bitrate)],
    ...['-bufsize', String(opts.bitrate)],
    ...['-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0'],
    // One access unit per picture, written the moment it exists.
    ...['-vsync', 'passthrough', '-flush_packets', '1', '-f', 'flv', 'pipe:1'],
  ];
}

/**
 * libx264 in a bundled-ffmpeg child process. FLV frames each access unit, so
 * one is known complete as soon as it arrives (see `flv-video-parser.ts`); its
 * NAL units are turned back into Annex B with SPS/PPS before each key frame.
 */
export function ffmpegEncoder(opts: FfmpegEncodeOptions): EncoderFactory {
  return async (format, cb) => {
    // Own process group: a Ctrl-C reaches framewire, which then drains the encoder.
    const proc = spawn(ffmpegPath, ffmpegEncodeArgs(opts, format), {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stderr = '';
    let closing = false;
    let parameterSets: Uint8Array[] | undefined;
    let lengthSize = 4;
    const parser = new FlvVideoParser();
    // The session wraps this into a STAGE_FAILED error that names the stage.
    const fail = (what: string) => cb.error(new Error(`ffmpeg ${what}`));

    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-4096);
    });
    proc.stdin.on('error', () => {}); // reported through the exit code below
    proc.stdout.on('data', (chunk: Buffer) => {
      try {
        for (const tag of parser.push(chunk)) {
          if (tag.kind === 'config') {
            ({ lengthSize, parameterSets } = parseAvcConfigurationRecord(tag.data));
          } else if (tag.kind === 'nalu') {
            if (!parameterSets) throw new RangeError('access unit before the AVC sequence header');
            const prefix = tag.key ? parameterSets : [];
            cb.output({ data: lengthPrefixedToAnnexB(tag.data, lengthSize, prefix), key: tag.key });
          }
        }
      } catch (e) {
        fail(`wrote an unreadable stream: ${(e as Error).message}`);
        proc.kill('SIGKILL');
      }
    });
    const exited = new Promise<void>((resolve) => {
      proc.once('error', (e) => {
        fail(`could not start: ${e.message}`);
        resolve();
      });
      proc.once('close', (code, signal) => {
        // Only an exit we asked for is normal: end of input (code 0) or close() (SIGKILL).
        const asked = closing && (code === 0 || signal === 'SIGKILL');
        if (!asked) fail(`exited (${signal ?? code}): ${lastLines(stderr) || 'no message'}`);
        resolve();
      });
    });

    return {
      encode(frame) {
        // Resolves when the pipe took the bytes: ffmpeg reads at its own pace.
        return new Promise<void>((resolve) => {
          proc.stdin.write(frame.data, () => resolve());
        });
      },
      async flush() {
        closing = true;
        proc.stdin.end();
        await exited;
      },
      close() {
        closing = true;
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      },
    };
  };
}
