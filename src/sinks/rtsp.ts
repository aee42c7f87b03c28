import { backoffOptions } from '../core/backoff.ts';
import { defineSink, type OptionProblem } from '../core/component.ts';
import { encodedOf } from '../core/encoded.ts';
import { redactUrl } from '../core/errors.ts';
import { t } from '../core/schema.ts';
import { RtspPublisher } from './rtsp-publisher.ts';
import { RtspSession } from './rtsp-session.ts';

/** How long the last publisher may take to flush and send TEARDOWN at the end of a run. */
const CLOSE_GRACE_MS = 3000;

/** 2³¹ ms (24.8 days): FLV timestamps are 32 bits, read as signed by some demuxers. */
const RENEW_AFTER_US = 2 ** 31 * 1000;

/**
 * Re-streams the pipeline's video to an RTSP server (MediaMTX, rtsp-simple-server,
 * Wowza, rtsp-server-perl…) by publishing to it: ANNOUNCE then RECORD, through
 * the bundled ffmpeg with `-c copy`, so the `encode` stage's H.264 goes out as
 * it was encoded, with the frames' own timestamps.
 *
 * A live viewer must never hold the pipeline back: the sink is lossy (its
 * queue drops by `policy`, `drop-oldest` by default, and counts it), and when
 * the server goes away it reconnects with backoff while the pipeline runs on;
 * what arrives meanwhile is discarded and counted, and the new connection
 * starts at the next key frame. A pipeline without an `encode` stage gets one
 * (ffmpeg, realtime, key frames every `keyframeInterval` seconds).
 */
export const rtspSink = defineSink({
  type: 'rtsp',
  doc: 'Publish the H.264 video to an RTSP server (ANNOUNCE/RECORD), reconnecting when it goes away',
  lossless: false,
  options: {
    url: t.string({
      doc: 'rtsp:// URL to publish to; credentials may be given as rtsp://user:pass@host/path (from an environment variable) and are never printed',
      format: 'an rtsp:// URL',
      minLength: 1,
    }),
    transport: t.enum(['tcp', 'udp'], {
      doc: 'How the video travels to the server: tcp (interleaved in the RTSP connection) or udp (RTP datagrams)',
      default: 'tcp',
    }),
    connectTimeout: t.number({
      doc: 'Seconds the server may take to accept the stream, or to take a frame once streaming, before the connection counts as failed',
      default: 10,
      exclusiveMin: 0,
      max: 600,
    }),
    keyframeInterval: t.number({
      doc: 'Seconds between key frames of the implicit encode stage (none in the pipeline): after a reconnect the stream resumes at the next one',
      default: 1,
      exclusiveMin: 0,
      max: 60,
    }),
    ...backoffOptions,
  },
  check: (config) => urlProblems(config.url),
  create(config, ctx) {
    const session = new RtspSession(ctx, {
      url: config.url,
      transport: config.transport,
      backoff: config,
      connectTimeoutMs: config.connectTimeout * 1000,
      closeGraceMs: CLOSE_GRACE_MS,
      renewAfterUs: RENEW_AFTER_US,
      connect: (opts) => new RtspPublisher({ ...opts, ...(ctx.cpu ? { cpu: ctx.cpu } : {}) }),
    });
    return {
      write(frame) {
        const encoded = encodedOf(frame);
        if (!encoded) {
          ctx.count('FRAME_UNENCODED');
          return;
        }
        return session.write(encoded);
      },
      close: () => session.close(),
    };
  },
});

/** An rtsp:// URL with a host; the messages never quote credentials. */
export function urlProblems(url: string): OptionProblem[] {
  const shown = redactUrl(url);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!/^rtsp:\/\//i.test(url))
    return [
      {
        key: 'url',
        message: `"${shown}" is not an rtsp:// URL${scheme === 'rtsps' ? ' (rtsps, RTSP over TLS, is not supported by the bundled ffmpeg)' : ''}: write it as rtsp://host[:port]/path`,
      },
    ];
  // The host follows the last `@`: passwords are often typed with `@`, `:` or `/` unescaped.
  const rest = url.slice('rtsp://'.length);
  const host = /^[^/:?#]*/.exec(rest.slice(rest.lastIndexOf('@') + 1))?.[0] ?? '';
  if (!host)
    return [
      { key: 'url', message: `"${shown}" names no server: write it as rtsp://host[:port]/path` },
    ];
  return [];
}
