import type { ServerResponse } from 'node:http';
import { redactUrl } from '../core/errors.ts';
import type { MetricsView } from '../core/metrics-view.ts';
import type { HttpEndpoint } from './http-endpoint.ts';
import {
  type PipelineMetrics,
  type PipelineMetricsOptions,
  pipelineMetrics,
} from './prometheus.ts';
import { readiness } from './readiness.ts';

/** The paths `mountOperatorEndpoints` serves. */
export const OPERATOR_PATHS = {
  metrics: '/metrics',
  healthz: '/healthz',
  readyz: '/readyz',
} as const;

/**
 * Serves the operators' endpoints of one pipeline on an HTTP endpoint (the
 * top-level `metrics:` key's, or a websocket sink's own):
 * - `GET /metrics`: Prometheus text format 0.0.4 (see prometheus.ts for the names);
 * - `GET /healthz`: 200 `ok` while the pipeline runs (whoever mounted it closes
 *   the endpoint when the run ends);
 * - `GET /readyz`: 200 `ready` once the source has delivered a frame, 503 with a
 *   one-line reason before that and while a live source is connecting,
 *   reconnecting, stalled or failed.
 * Answers are never cached. Returns the metrics, whose registry a caller may
 * add its own metrics to.
 */
export function mountOperatorEndpoints(
  endpoint: HttpEndpoint,
  view: MetricsView,
  opts: PipelineMetricsOptions = {},
): PipelineMetrics {
  const metrics = pipelineMetrics(view, opts);
  endpoint.route(OPERATOR_PATHS.metrics, async (_req, res) => {
    const text = await metrics.text();
    send(res, 200, metrics.contentType, text);
  });
  endpoint.route(OPERATOR_PATHS.healthz, (_req, res) => send(res, 200, TEXT, 'ok\n'));
  endpoint.route(OPERATOR_PATHS.readyz, (_req, res) => {
    const { ready, reason } = readiness(view);
    send(res, ready ? 200 : 503, TEXT, `${redactUrl(reason)}\n`);
  });
  return metrics;
}

/**
 * What the endpoints answer before the pipeline is assembled (while its source
 * opens, which for a camera can take seconds): alive, not ready, no metrics
 * yet. `mountOperatorEndpoints` replaces these routes.
 */
export function mountStartingEndpoints(endpoint: HttpEndpoint): void {
  const starting = 'starting: the pipeline is opening its source\n';
  endpoint.route(OPERATOR_PATHS.metrics, (_req, res) => send(res, 503, TEXT, starting));
  endpoint.route(OPERATOR_PATHS.healthz, (_req, res) => send(res, 200, TEXT, 'ok\n'));
  endpoint.route(OPERATOR_PATHS.readyz, (_req, res) => send(res, 503, TEXT, starting));
}

const TEXT = 'text/plain; charset=utf-8';

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
