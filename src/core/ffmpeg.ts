import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { redactUrl } from './errors.ts';

/**
 * The ffmpeg binary to run: `FRAMEWIRE_FFMPEG` when set, else the bundled one
 * (no system ffmpeg is assumed). Read at each spawn, so the variable may change.
 */
export function resolveFfmpegPath(): string {
  return process.env.FRAMEWIRE_FFMPEG || ffmpegInstaller.path;
}

/** The binary as resolved when this module loaded; tests and benchmarks run it directly. */
export const ffmpegPath: string = resolveFfmpegPath();

/** What ffmpeg's banner says about a video stream, parsed from its stderr. */
export interface FfmpegStreamLine {
  width: number;
  height: number;
  fps: number | undefined;
  pixelFormat: string | undefined;
}

/**
 * Parses a `Stream #0:0…: Video: …` line of ffmpeg's stderr. ffmpeg prints
 * these for inputs and outputs before any data flows, so one process both
 * describes and delivers the stream (no separate probe).
 */
export function parseVideoStreamLine(line: string): FfmpegStreamLine | undefined {
  if (!/Stream #\d+:\d+.*: Video:/.test(line)) return undefined;
  const size = line.match(/, (\d{2,5})x(\d{2,5})[ ,]/);
  if (!size) return undefined;
  const fps = line.match(/, ([\d.]+) fps/) ?? line.match(/, ([\d.]+) tbr/);
  const fmt = line.match(/Video: [^,]+, (\w+)/);
  return {
    width: Number(size[1]),
    height: Number(size[2]),
    fps: fps ? Number(fps[1]) : undefined,
    pixelFormat: fmt?.[1],
  };
}

/** `Duration: 00:01:02.50` → seconds. */
export function parseDuration(text: string): number | undefined {
  const m = text.match(/Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

/** The last meaningful lines of ffmpeg's stderr, for error messages. */
export function lastLines(stderr: string, n = 3): string {
  // ffmpeg echoes its input and output URLs, credentials and all.
  return redactUrl(stderr)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('frame=') && !/^(configuration|built with|lib\w+)/.test(l))
    .slice(-n)
    .join(' | ');
}
