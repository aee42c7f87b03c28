import { backoffOptions } from '../core/backoff.ts';
import { defineSource } from '../core/component.ts';
import { redactUrl } from '../core/errors.ts';
import { liveSourceOptions } from '../core/live-source-options.ts';
import { ReconnectingSource } from '../core/reconnecting-source.ts';
import { t } from '../core/schema.ts';
import { RtspConnection } from './rtsp-connection.ts';

/**
 * An RTSP camera (or any RTSP server), kept connected for as long as the
 * pipeline runs: each connection is one ffmpeg (rtsp-connection.ts), and core's
 * ReconnectingSource reconnects with backoff when it is lost, fails or stalls.
 */
export const rtspSource = defineSource({
  type: 'rtsp',
  doc: 'RTSP camera or server (H.264 and H.265 copied and decoded in-process; MJPEG and others decoded by ffmpeg); reconnects forever by default',
  options: {
    url: t.string({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shows users the ${…} syntax
      doc: 'rtsp://[user:password@]host[:port]/path; credentials are never printed (use ${VAR} to keep them out of the file; percent-encode @ : / in them)',
      format: 'an rtsp:// URL',
      minLength: 1,
    }),
    transport: t.enum(['tcp', 'udp', 'auto'], {
      doc: "RTP over the RTSP TCP connection (tcp: works through NAT and firewalls, no loss), over UDP (udp: lowest latency on a clean LAN), or ffmpeg's choice (auto: UDP, then TCP)",
      default: 'tcp',
    }),
    connectTimeout: t.number({
      doc: 'Seconds to wait for the first picture of a connection before the attempt counts as failed',
      default: 10,
      exclusiveMin: 0,
      max: 3600,
    }),
    readTimeout: t.number({
      doc: "Seconds ffmpeg waits on the socket (TCP connect, each RTSP reply, each read) before failing (ffmpeg's -stimeout)",
      default: 5,
      exclusiveMin: 0,
      max: 3600,
    }),
    stallSeconds: t.number({
      doc: 'No frame for this many seconds: report stalled, drop the connection and reconnect',
      default: 5,
      exclusiveMin: 0,
      max: 3600,
    }),
    ...backoffOptions,
    ...liveSourceOptions,
  },
  check(config) {
    // An unset ${VAR} is reported by interpolation; there is no URL to look at then.
    if (typeof config.url !== 'string') return [];
    return /^rtsps?:\/\//i.test(config.url)
      ? []
      : [
          {
            key: 'url',
            message: `url must start with rtsp:// (or rtsps://), got ${redactUrl(config.url)}`,
          },
        ];
  },
  create(config, ctx) {
    const label = redactUrl(config.url);
    const codecMemo = { read: 'h264' as 'h264' | 'hevc' | 'ffmpeg' };
    return new ReconnectingSource({
      connect: () =>
        new RtspConnection({
          url: config.url,
          label,
          transport: config.transport,
          connectTimeout: config.connectTimeout,
          readTimeout: config.readTimeout,
          codecMemo,
          pool: ctx.pool,
          clock: ctx.clock,
          ...(ctx.cpu ? { cpu: ctx.cpu } : {}),
        }),
      backoff: config,
      stallSeconds: config.stallSeconds,
      retryFirstOpen: true,
      describe: label,
      clock: ctx.clock,
      health: (event) => ctx.health(event),
      count: (code, n) => ctx.count(code, n),
      release: (frame) => {
        if (frame.data.byteLength > 0) ctx.pool.release(frame.data);
      },
    });
  },
});
