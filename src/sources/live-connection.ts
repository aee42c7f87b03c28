import { type BackoffConfig, backoffOptions } from '../core/backoff.ts';
import type { ComponentContext, Source } from '../core/component.ts';
import { ReconnectingSource } from '../core/reconnecting-source.ts';
import { t } from '../core/schema.ts';
import { GuardedConnection, type GuardedConnectionOptions } from './guarded-connection.ts';
import { RawFrameReader, type RawFrameReaderOptions } from './raw-frame-reader.ts';

/**
 * The connection options camera and http sources share, besides backoff and
 * the live queue; named as the rtsp source names them.
 */
export const connectionOptions = {
  ...backoffOptions,
  stallSeconds: t.number({
    doc: 'No frame for this many seconds: report stalled, drop the connection and reconnect',
    default: 5,
    exclusiveMin: 0,
    max: 3600,
  }),
  connectTimeout: t.number({
    doc: 'Seconds to wait for the first picture of a connection before the attempt counts as failed',
    default: 10,
    exclusiveMin: 0,
    max: 3600,
  }),
};

export type ConnectionConfig = BackoffConfig & {
  readonly stallSeconds: number;
  readonly connectTimeout: number;
};

/**
 * A live source made of connections: each one is `connect()`'s Source, and
 * the core's ReconnectingSource makes the next when one is lost. The runner
 * reads it at its own rate and keeps the bounded live queue after it.
 */
export function reconnectingSource(
  config: ConnectionConfig,
  ctx: ComponentContext,
  opts: { connect: (attempt: number) => Source; retryFirstOpen: boolean; describe: string },
): ReconnectingSource {
  return new ReconnectingSource({
    connect: opts.connect,
    backoff: {
      backoff: config.backoff,
      ...(config.maxAttempts !== undefined ? { maxAttempts: config.maxAttempts } : {}),
    },
    stallSeconds: config.stallSeconds,
    retryFirstOpen: opts.retryFirstOpen,
    describe: opts.describe,
    clock: ctx.clock,
    health: (event) => ctx.health(event),
    count: (code, n) => ctx.count(code, n),
    release: (frame) => {
      if (frame.data.byteLength > 0) ctx.pool.release(frame.data);
    },
  });
}

/**
 * A reconnecting live source whose every connection is one ffmpeg process
 * decoding the input to raw frames, with an open that cannot hang and open
 * errors phrased for the input.
 */
export function ffmpegLiveSource(
  config: ConnectionConfig,
  ctx: ComponentContext,
  opts: {
    readonly retryFirstOpen: boolean;
    /** The input for messages and health ("camera /dev/video0"); never credentials. */
    readonly describe: string;
    readonly reader: Pick<RawFrameReaderOptions, 'inputArgs' | 'filters' | 'format' | 'sourceId'>;
  } & Pick<GuardedConnectionOptions, 'mapOpenError' | 'stampArrival'>,
): ReconnectingSource {
  const { describe, reader, mapOpenError, stampArrival } = opts;
  return reconnectingSource(config, ctx, {
    retryFirstOpen: opts.retryFirstOpen,
    describe,
    connect: () =>
      new GuardedConnection(
        new RawFrameReader({
          ...reader,
          pool: ctx.pool,
          clock: ctx.clock,
          describe,
          ...(ctx.cpu ? { cpu: ctx.cpu } : {}),
        }),
        {
          openSeconds: config.connectTimeout,
          clock: ctx.clock,
          describe,
          ...(mapOpenError ? { mapOpenError } : {}),
          ...(stampArrival ? { stampArrival } : {}),
        },
      ),
  });
}
