/**
 * How ffmpeg reads an HTTP video: MJPEG (multipart/x-mixed-replace) from IP
 * cameras, HLS playlists, progressive MP4. Pure, so the arguments are tested
 * without a server.
 */

export const HTTP_FORMATS = ['auto', 'mjpeg', 'hls', 'mp4'] as const;
export type HttpFormat = (typeof HTTP_FORMATS)[number];

/**
 * How the stream is paced: a camera's MJPEG stream arrives at the camera's
 * rate (reading faster is impossible), while HLS and MP4 files arrive as fast
 * as the network allows and are paced at their own frame rate.
 */
export type HttpKind = 'stream' | 'media';

export interface HttpRequest {
  readonly url: string;
  readonly format: HttpFormat;
  /** Seconds one read may wait for data before ffmpeg gives up (and we reconnect). */
  readonly timeout: number;
  /** Pace at the media's frame rate; absent: for HLS and MP4, not for MJPEG. */
  readonly realtime?: boolean | undefined;
}

const MEDIA_EXTENSIONS = /\.(m3u8|mp4|m4v|mov|mkv|webm|ts|flv)$/i;

/** What the URL looks like when `format` is auto: a playlist or a file by its extension, else a stream. */
export function httpKind(url: string, format: HttpFormat): HttpKind {
  if (format === 'mjpeg') return 'stream';
  if (format === 'hls' || format === 'mp4') return 'media';
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  return MEDIA_EXTENSIONS.test(path) ? 'media' : 'stream';
}

/** ffmpeg's demuxer for a format given explicitly (auto: ffmpeg probes). */
const DEMUXER: Record<Exclude<HttpFormat, 'auto'>, string> = {
  mjpeg: 'mpjpeg',
  hls: 'hls',
  mp4: 'mp4',
};

/** ffmpeg's arguments up to and including `-i URL`. */
export function httpInputArgs(request: HttpRequest): string[] {
  const kind = httpKind(request.url, request.format);
  const realtime = request.realtime ?? kind === 'media';
  return [
    // A read that waits longer fails, so a server that went silent is a lost
    // connection. ffmpeg's own -reconnect is left off: ReconnectingSource
    // reconnects, with backoff and health events.
    ...['-rw_timeout', String(Math.round(request.timeout * 1e6))],
    ...(realtime ? ['-re'] : []),
    ...(request.format === 'auto' ? [] : ['-f', DEMUXER[request.format]]),
    '-i',
    request.url,
  ];
}
