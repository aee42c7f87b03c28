import { parseDocument } from 'yaml';
import type { Issue, Where } from './issues.ts';
import { type MapEntry, type MapNode, TreeLimitError, type TreeNode, toTree } from './tree.ts';
import { indexPath, keyPath } from './yaml-path.ts';

const USAGE = 'write --set key.path=value, e.g. --set sinks.0.path=out.mp4';

/**
 * Applies `--set key.path=value` arguments to the tree before validation, so an
 * overridden value is checked like one written in the file. Numeric segments
 * index lists (`stages.1.confidence=0.5`); the value is read as YAML (`3`,
 * `true`, `0.5`, text). Missing mapping keys are created; list indexes must exist.
 */
export function applyOverrides(root: MapNode, sets: readonly string[], issues: Issue[]): void {
  for (const arg of sets) applyOne(root, arg, issues);
}

function applyOne(root: MapNode, arg: string, issues: Issue[]): void {
  const bad = (message: string, hints = [USAGE]): void => {
    issues.push({ message: `--set ${arg}: ${message}`, hints });
  };
  const eq = arg.indexOf('=');
  if (eq < 0) {
    bad('missing "="');
    return;
  }
  const segments = arg.slice(0, eq).split('.');
  if (segments.some((s) => s.trim() === '')) {
    bad('empty key in the path');
    return;
  }
  const value = readValue(arg.slice(eq + 1), arg, issues);
  if (value === undefined) return;

  let node: TreeNode = root;
  let path = '';
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (node.kind === 'map') {
      const childPath = keyPath(path, segment);
      let found: MapEntry | undefined = node.entries.find((e) => e.key === segment);
      if (last) {
        if (found) found.value = value;
        else node.entries.push({ key: segment, keyWhere: { set: arg }, value });
        return;
      }
      // A missing (or empty) key gets an empty container: a list when the next
      // segment is an index, which then reports the index as out of range.
      if (!found) {
        found = { key: segment, keyWhere: { set: arg }, value: container(segments[i + 1]!, arg) };
        node.entries.push(found);
      } else if (found.value.kind === 'scalar' && found.value.value === null) {
        found.value = container(segments[i + 1]!, arg);
      }
      node = found.value;
      path = childPath;
    } else if (node.kind === 'list') {
      if (!/^\d+$/.test(segment)) {
        bad(`${path} is a list, so "${segment}" must be an index (0, 1, …)`, []);
        return;
      }
      const index = Number(segment);
      if (index >= node.items.length) {
        issues.push({
          where: { ...(node.where.pos ? { pos: node.where.pos } : {}) },
          path,
          message: `--set ${arg}: there is no ${indexPath(path, index)}; the list has ${count(node.items.length)}`,
        });
        return;
      }
      if (last) {
        node.items[index] = value;
        return;
      }
      node = node.items[index]!;
      path = indexPath(path, index);
    } else {
      bad(`${path} is a single value, so it has no "${segment}"`, []);
      return;
    }
  }
}

/**
 * The value as YAML. A plain scalar keeps its text for string options
 * (`--set name=007`), and an empty value is the empty string for them.
 */
function readValue(text: string, arg: string, issues: Issue[]): TreeNode | undefined {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    issues.push({
      message: `--set ${arg}: the value is not valid YAML: ${doc.errors[0]!.message}`,
    });
    return undefined;
  }
  const where: Where = { set: arg };
  let node: TreeNode;
  try {
    node = toTree(doc.contents, '', { where: () => where, issues });
  } catch (err) {
    if (!(err instanceof TreeLimitError)) throw err;
    issues.push({ ...err.issue, message: `--set ${arg}: ${err.issue.message}` });
    return undefined;
  }
  if (node.kind === 'scalar' && doc.contents === null) node.text = '';
  return node;
}

function container(next: string, arg: string): TreeNode {
  const where = { set: arg };
  return /^\d+$/.test(next)
    ? { kind: 'list', items: [], where }
    : { kind: 'map', entries: [], where };
}

function count(n: number): string {
  return n === 1 ? '1 item' : `${n} items`;
}
