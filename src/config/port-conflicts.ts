import type { ComponentConfig, MetricsEndpointConfig } from '../core/pipeline-config.ts';
import type { Issue, Where } from './issues.ts';
import { entry, type MapNode, type TreeNode } from './tree.ts';
import { indexPath, keyPath } from './yaml-path.ts';

/**
 * The top-level `metrics:` server and a sink that serves (the websocket sink)
 * cannot listen on one port: the second would fail at run time with "port in
 * use", after the source had started. Any sink option named `port` counts,
 * whatever the hosts (0.0.0.0 overlaps every address); port 0 picks a free
 * port, so it never collides. Reported at the sink, naming `metrics.port`.
 * (Two sinks on one port are the sinks' own check.)
 */
export function checkPortConflicts(
  root: MapNode,
  metrics: MetricsEndpointConfig | undefined,
  sinks: readonly ComponentConfig[],
  issues: Issue[],
): void {
  if (metrics === undefined || metrics.port === 0) return;
  const node = entry(root, 'metrics')?.value;
  const metricsWhere = node?.kind === 'map' ? entry(node, 'port')?.value.where : undefined;
  const sinkNodes = entry(root, 'sinks')?.value;
  for (const sink of sinks) {
    if (sink.options.port !== metrics.port) continue;
    issues.push({
      where: sinkPortWhere(sinkNodes, sink),
      path: keyPath(sink.path, 'port'),
      message: `port ${metrics.port} is already used by metrics.port${describeWhere(metricsWhere ?? root.where)}`,
      hints: [
        'the metrics endpoint and each serving sink need their own port (0 picks a free one)',
      ],
    });
  }
}

/** Where a sink's port was written; the sink itself when the port is its default. */
function sinkPortWhere(sinkNodes: TreeNode | undefined, sink: ComponentConfig): Where {
  if (sinkNodes?.kind !== 'list') return {};
  const index = sinkNodes.items.findIndex((_, i) => indexPath('sinks', i) === sink.path);
  const node = sinkNodes.items[index];
  if (node?.kind !== 'map') return node?.where ?? sinkNodes.where;
  return entry(node, 'port')?.value.where ?? node.where;
}

function describeWhere(where: Where): string {
  if (where.set !== undefined) return ` (from --set ${where.set})`;
  if (where.pos) return ` (line ${where.pos.line}, column ${where.pos.col})`;
  return '';
}
