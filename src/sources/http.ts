import { resolvedHttpInput } from './resolved-host.ts';
import { defineSource, type OptionProblem } from '../core/component.ts';
import { FramewireError, redactUrl } from '../core/errors.ts';
import { liveSourceOptions } from '../core/live-source-options.ts';
import { optional, t } from '../core/schema.ts';
import { HTTP_FORMATS, httpInputArgs, httpKind } from './http-args.ts';
import { connectionOptions, ffmpegLiveSource } from './live-connection.ts';
import { evenSizeProblems, shapingFilters, shapingOptions } from './shaping.ts';

/**
 * Video over HTTP(S) as a live input: an IP camera's MJPEG stream, an HLS
 * playlist, a progressive MP4. ffmpeg decodes every connection; a lost one
 * (server gone, read timeout, end of the media) is made again with backoff.
 */
export const httpSource = defineSource({
  type: 'http',
  doc: 'HTTP(S) video: MJPEG camera streams, HLS playlists, progressive MP4; reconnects when the server goes away',
  options: {
    url: t.string({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shows users the ${…} syntax
      doc: 'http:// or https:// URL; user:password@ in it is never printed (use ${VAR} to keep it out of the file)',
      minLength: 1,
    }),
    format: t.enum(HTTP_FORMATS, {
      doc: 'mjpeg (multipart/x-mixed-replace), hls (.m3u8), mp4; auto lets ffmpeg tell, pacing .m3u8/.mp4 URLs at their frame rate',
      default: 'auto',
    }),
    readTimeout: t.number({
      doc: "Seconds a read may wait for data before the connection counts as lost (ffmpeg's -rw_timeout)",
      default: 10,
      exclusiveMin: 0,
      max: 3600,
    }),
    realtime: optional(
      t.boolean({
        doc: "Pace frames at the media's frame rate (absent: yes for HLS and MP4, no for MJPEG, which the camera paces)",
      }),
    ),
    ...shapingOptions,
    ...connectionOptions,
    ...liveSourceOptions,
  },
  check(config) {
    const problems: OptionProblem[] = [];
    if (!/^https?:\/\/[^/]/i.test(config.url))
      problems.push({
        key: 'url',
        message: `url must start with http:// or https://, got "${redactUrl(config.url)}" (RTSP cameras take the rtsp source, files the file source)`,
      });
    problems.push(...evenSizeProblems(config));
    return problems;
  },
  async create(config, ctx) {
    const shown = redactUrl(config.url);
    const describe = `HTTP stream ${shown}`;
    // The bundled static ffmpeg crashes resolving host names: Node resolves them.
    const { url, inputArgs: hostArgs } = await resolvedHttpInput(config.url, shown);
    const inputArgs = [
      ...hostArgs,
      ...httpInputArgs({ ...config, url, timeout: config.readTimeout }),
    ];
    return ffmpegLiveSource(config, ctx, {
      // A server that is down at start is waited for, like one that goes away later.
      retryFirstOpen: true,
      describe,
      reader: {
        inputArgs,
        filters: shapingFilters(config),
        format: config.pixelFormat,
        sourceId: shown,
      },
      mapOpenError: httpOpenError,
      // MJPEG parts carry no timestamps (ffmpeg would count at a guessed 25 fps):
      // the arrival time is the capture time. (ffmpeg's wall-clock option rounds
      // to the demuxer's 1/25 s time base, so 30 fps frames could share a pts.)
      stampArrival: httpKind(config.url, config.format) === 'stream',
    });
  },
});

const FAILURES: readonly [RegExp, (m: RegExpExecArray) => string, string][] = [
  [
    /(?:Server returned|HTTP error) (401|403)\b[^|]*/i,
    (m) => m[0].trim(),
    'check the user and password in the URL (http://user:password@host/...)',
  ],
  [
    /(?:Server returned|HTTP error) (\d{3})\b[^|]*/i,
    (m) => m[0].trim(),
    'check the path of the URL; the camera or server documents its stream URLs',
  ],
  [
    /Connection refused/i,
    () => 'connection refused',
    'check the host and port, and that the server is running',
  ],
  [
    /timed out|Operation timed out/i,
    () => 'timed out',
    'check that the host is reachable (and the readTimeout option)',
  ],
  [
    /Failed to resolve hostname|Name or service not known/i,
    () => 'unknown host',
    'check the host name in the URL',
  ],
  [
    /Invalid data found|could not find codec parameters/i,
    () => 'not a video ffmpeg can read',
    'check that the URL serves MJPEG, HLS or MP4 (open it in a player); set format if the server does not say',
  ],
];

/**
 * The reader's "cannot read" said the way an HTTP failure is understood. The
 * URL is left out: ReconnectingSource names it in what it reports.
 */
function httpOpenError(err: unknown): unknown {
  if (!(err instanceof FramewireError) || /cannot start ffmpeg/.test(err.message)) return err;
  for (const [pattern, say, hint] of FAILURES) {
    const m = pattern.exec(err.message);
    if (m) return new FramewireError('SOURCE_OPEN', say(m), { hint });
  }
  return err;
}
