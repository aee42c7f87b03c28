import type { Logger } from '../core/log.ts';
import type { MetricsView } from '../core/metrics-view.ts';
import type { MetricsEndpointConfig } from '../core/pipeline-config.ts';
import { type HttpEndpoint, listenHttp } from '../serve/http-endpoint.ts';
import { mountOperatorEndpoints, mountStartingEndpoints } from '../serve/operator-endpoints.ts';

/** The top-level `metrics:` key's server, for the duration of one run. */
export interface RunMetricsEndpoint {
  /** Serves the pipeline's metrics once it is assembled. */
  attach(view: MetricsView): void;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens before anything else opens, so a port in use fails the run within
 * milliseconds, before a camera or ffmpeg starts; until the pipeline is
 * assembled the endpoints say "starting". The URL is logged, which is how a
 * `port: 0` user learns the port.
 */
export async function openRunMetricsEndpoint(
  config: MetricsEndpointConfig,
  log: Logger,
): Promise<RunMetricsEndpoint> {
  const endpoint: HttpEndpoint = await listenHttp({
    port: config.port,
    host: config.host,
    label: 'metrics',
    // The pipeline file's `metrics.port` is what the user changes.
    code: 'CONFIG_INVALID',
  });
  mountStartingEndpoints(endpoint);
  log.info(`metrics at ${endpoint.url}/metrics`);
  return {
    attach: (view) => void mountOperatorEndpoints(endpoint, view),
    close: () => endpoint.close(),
  };
}
