import type { ComponentConfig } from '../core/pipeline-config.ts';
import type { ComponentRegistries } from '../core/component.ts';
import type { OptionProblem } from '../core/component.ts';
import { clipped, got } from './describe.ts';
import type { Issue } from './issues.ts';
import { optionFields, type Section } from './pipeline-fields.ts';
import { readFields, unknownKey } from './read-fields.ts';
import { suggestName } from './suggest-name.ts';
import { entry, type TreeNode } from './tree.ts';
import { keyPath } from './yaml-path.ts';

/** A source, stage or sink as validated: its type and its options with defaults applied. */

/**
 * One component object: `type` picks the definition from the section's
 * registry, the other keys are that definition's options. Without a known type
 * the options cannot be checked, so only the type problem is reported.
 */
export function readComponent(
  node: TreeNode,
  section: Section,
  path: string,
  registries: ComponentRegistries,
  issues: Issue[],
): ComponentConfig | undefined {
  const registry = section.registry(registries);
  const allowed = `allowed: ${registry.names().join(', ') || `(no ${section.kind} types registered)`}`;
  if (node.kind !== 'map') {
    const shorthand = node.kind === 'scalar' && typeof node.value === 'string';
    issues.push({
      where: node.where,
      path,
      message: `expected a mapping with a type, got ${got(node)}`,
      hints: shorthand ? [`write it as "type: ${clipped(String(node.value))}"`] : [allowed],
    });
    return undefined;
  }
  const typeEntry = node.entries.find((e) => e.key === 'type');
  if (typeEntry === undefined) {
    const typo = node.entries.find((e) => suggestName(e.key, ['type']) === 'type');
    issues.push(
      typo
        ? unknownKey(typo.key, typo.keyWhere, keyPath(path, typo.key), ['type'])
        : {
            where: node.where,
            path: keyPath(path, 'type'),
            message: `every ${section.kind} needs a type`,
            hints: [allowed],
          },
    );
    return undefined;
  }
  const typeNode = typeEntry.value;
  const typePath = keyPath(path, 'type');
  if (typeNode.kind === 'scalar' && typeNode.reported) return undefined;
  const type = typeNode.kind === 'scalar' ? (typeNode.text ?? typeNode.value) : undefined;
  if (typeof type !== 'string') {
    issues.push({
      where: typeNode.where,
      path: typePath,
      message: `expected a ${section.kind} type, got ${got(typeNode)}`,
      hints: [allowed],
    });
    return undefined;
  }
  const def = registry.find(type);
  if (def === undefined) {
    const suggestion = suggestName(type, registry.names());
    issues.push({
      where: typeNode.where,
      path: typePath,
      message: `unknown ${section.kind} type "${clipped(type)}"`,
      hints: [...(suggestion ? [`did you mean "${suggestion}"?`] : []), allowed],
    });
    return undefined;
  }
  const before = issues.length;
  const options = readFields(node, optionFields(section.kind, def), path, issues, ['type']);
  if (issues.length === before && def.check) {
    for (const problem of (def.check as (c: unknown) => readonly OptionProblem[])(options)) {
      const at = problem.key === undefined ? undefined : entry(node, problem.key);
      issues.push({
        where: at?.keyWhere ?? node.where,
        path: problem.key === undefined ? path : keyPath(path, problem.key),
        message: problem.message,
      });
    }
  }
  return { type, path, options };
}
