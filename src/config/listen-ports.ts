import type { ComponentRegistries } from '../core/component.ts';
import type { ComponentConfig } from '../core/pipeline-config.ts';
import type { Issue } from './issues.ts';
import { entry, type TreeNode } from './tree.ts';
import { keyPath } from './yaml-path.ts';

/**
 * Two sinks that serve (WebSocket feeds) cannot listen on one port: the
 * second would fail at start with "port in use" after the first opened, so
 * validation says it first, at the second one's `port`.
 */
export function listenPortIssues(
  sinks: readonly ComponentConfig[],
  node: TreeNode | undefined,
  registries: ComponentRegistries,
  issues: Issue[],
): void {
  const first = new Map<number, string>();
  for (const [i, sink] of sinks.entries()) {
    const port = registries.sinks.find(sink.type)?.listenPort?.(sink.options as never);
    if (port === undefined) continue;
    const taken = first.get(port);
    if (taken === undefined) {
      first.set(port, sink.path);
      continue;
    }
    const item = node?.kind === 'list' ? node.items[i] : undefined;
    const at = item?.kind === 'map' ? entry(item, 'port') : undefined;
    issues.push({
      where: at?.keyWhere ?? item?.where ?? node?.where ?? {},
      path: keyPath(sink.path, 'port'),
      message: `port ${port} is already used by ${taken}; each serving sink needs its own port`,
    });
  }
}
