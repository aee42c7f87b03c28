import type { ComponentContext, Source } from '../core/component.ts';
import { backoffOptions, type BackoffConfig } from '../core/backoff.ts';
import { LiveSource } from '../core/live-source.ts';
import type { LiveSourceConfig } from '../core/live-source-options.ts';
import { ReconnectingSource } from '../core/reconnecting-source.ts';
import { t } from '../core/schema.ts';

/** The connection options camera and http sources share, besides backoff and the queue. */
export const connectionOptions = {
  ...backoffOptions,
  stallSeconds: t.number({
    doc: 'No frame for this many seconds: the connection is dropped and made again',
    default: 5,
    exclusiveMin: 0,
    max: 3600,
  }),
  openTimeout: t.number({
    doc: 'Seconds one connection may take to deliver its first frame',
    default: 10,
    exclusiveMin: 0,
    max: 3600,
  }),
};

export type ConnectionConfig = BackoffConfig &
  LiveSourceConfig & { readonly stallSeconds: number; readonly openTimeout: number };

/**
 * A live source made of connections: each one is `connect()`'s Source; the
 * core's ReconnectingSource makes the next when one is lost, and LiveSource
 * keeps at most `queue` frames while the pipeline is busy.
 */
export function reconnectingLiveSource(
  config: ConnectionConfig,
  ctx: ComponentContext,
  opts: { connect: (attempt: number) => Source; retryFirstOpen: boolean; describe: string },
): LiveSource {
  const reconnecting = new ReconnectingSource({
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
  return new LiveSource(reconnecting, config.queue, config.dropPolicy, ctx.pool);
}
