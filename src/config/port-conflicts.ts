import type { ComponentConfig, MetricsEndpointConfig } from '../core/pipeline-config.ts';
import type { Issue, Where } from './issues.ts';
import { entry, type MapNode, type TreeNode } from './tree.ts';
import { indexPath, keyPath } from './yaml-path.ts';

/** Something in the pipeline that listens on a TCP port. */
interface Listener {
  readonly path: string;
  readonly port: number;
  readonly where: Where;
}

/**
 * Two servers of one pipeline cannot listen on the same port: the second would
 * fail at run time with "port in use", after the source had started. The
 * top-level `metrics.port` and any sink option named `port` (the websocket
 * sink's, whatever comes next) are compared, whatever their hosts (0.0.0.0
 * overlaps every address). Port 0 picks a free port, so it never collides.
 * Each clash is reported at the later one, naming the earlier.
 */
export function checkPortConflicts(
  root: MapNode,
  metrics: MetricsEndpointConfig | undefined,
  sinks: readonly ComponentConfig[],
  issues: Issue[],
): void {
  const listeners: Listener[] = [];
  if (metrics !== undefined) {
    const node = entry(root, 'metrics')?.value;
    const at = node?.kind === 'map' ? entry(node, 'port')?.value.where : undefined;
    listeners.push({ path: 'metrics.port', port: metrics.port, where: at ?? root.where });
  }
  const sinkNodes = entry(root, 'sinks')?.value;
  for (const sink of sinks) {
    const port = sink.options.port;
    if (typeof port !== 'number') continue;
    listeners.push({
      path: keyPath(sink.path, 'port'),
      port,
      where: sinkPortWhere(sinkNodes, sink),
    });
  }
  const seen = new Map<number, Listener>();
  for (const l of listeners) {
    if (l.port === 0) continue;
    const first = seen.get(l.port);
    if (!first) {
      seen.set(l.port, l);
      continue;
    }
    issues.push({
      where: l.where,
      path: l.path,
      message: `port ${l.port} is already used by ${first.path}${describeWhere(first.where)}`,
      hints: ['each server of a pipeline needs its own port (0 picks a free one)'],
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
