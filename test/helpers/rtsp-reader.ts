// Reads an RTSP stream back with the bundled ffmpeg and describes every
// decoded picture (showinfo): how many, their size, which were key frames.
import { spawn } from 'node:child_process';
import { ffmpegPath } from '../../src/core/ffmpeg.ts';

export interface ReadBack {
  /** ffmpeg's exit code. */
  readonly code: number | null;
  /** Decoded pictures, in order. */
  readonly frames: readonly { width: number; height: number; key: boolean; ptsTime: number }[];
  /** What the stream announced: `h264 (High)`, size… */
  readonly streamLine: string | undefined;
  readonly stderr: string;
}

/** Plays `url` for `seconds` of stream (UDP: what rtsp-server-perl serves); killed after `boundMs`. */
export function readRtsp(url: string, seconds: number, boundMs = 30_000): Promise<ReadBack> {
  return new Promise((resolve) => {
    const proc = spawn(ffmpegPath, [
      ...['-hide_banner', '-nostdin', '-rtsp_transport', 'udp', '-i', url],
      ...['-t', String(seconds), '-vf', 'showinfo', '-f', 'null', '-'],
    ]);
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), boundMs);
    proc.on('close', (code) => {
      clearTimeout(timer);
      const frames = [
        ...stderr.matchAll(
          /showinfo.* n:\s*\d+ .*pts_time:(-?[\d.]+) .* s:(\d+)x(\d+) .*iskey:(\d)/g,
        ),
      ].map((m) => ({
        ptsTime: Number(m[1]),
        width: Number(m[2]),
        height: Number(m[3]),
        key: m[4] === '1',
      }));
      const streamLine = /Stream #0:0.*: Video: (.*)/.exec(stderr)?.[1];
      resolve({ code, frames, streamLine, stderr });
    });
  });
}
