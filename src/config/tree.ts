import {
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  parseDocument,
  Scalar,
} from 'yaml';
import { clipped } from './describe.ts';
import { interpolate } from './interpolate.ts';
import type { Issue, Where } from './issues.ts';
import { indexPath, keyPath } from './yaml-path.ts';

/**
 * The pipeline file as plain values that remember where they came from. YAML's
 * own nodes carry offsets only for text in the file; `--set` values and
 * interpolated scalars need their own origin, so validation works on this tree.
 */
export type TreeNode = ScalarNode | MapNode | ListNode;

export interface ScalarNode {
  readonly kind: 'scalar';
  value: unknown;
  /**
   * The text a non-string value was written as (`007`, `null`, `${PORT}` with
   * PORT=0800, `--set name=007`): a string option gets the text, other options
   * the YAML value.
   */
  text?: string;
  /**
   * The value as written, when `${…}` changed it. Messages show this rather than
   * the value: variables are how secrets get into pipelines.
   */
  written?: string;
  /** Already reported (an unset variable): validation accepts it silently. */
  reported?: boolean;
  readonly where: Where;
}
export interface MapEntry {
  readonly key: string;
  readonly keyWhere: Where;
  value: TreeNode;
}
export interface MapNode {
  readonly kind: 'map';
  readonly entries: MapEntry[];
  readonly where: Where;
}
export interface ListNode {
  readonly kind: 'list';
  readonly items: TreeNode[];
  readonly where: Where;
}

export interface ReadContext {
  /** Where a YAML node sits; file nodes map their offset to a line and column. */
  readonly where: (node: Node | null) => Where;
  /** Interpolates `${VAR}` in string scalars when given (file values, not `--set` values). */
  readonly env?: NodeJS.ProcessEnv;
  readonly issues: Issue[];
}

/**
 * How large a pipeline file may get once its aliases are followed. Real
 * pipelines have a few hundred values; the bounds only stop hostile files (an
 * alias bomb, thousands of nested brackets) before they exhaust time, memory
 * or the stack.
 */
export const TREE_LIMITS = { maxValues: 100_000, maxDepth: 64 } as const;

/** The file is too large or too deep to read; `issue` says where and why. */
export class TreeLimitError extends Error {
  constructor(readonly issue: Issue) {
    super(issue.message);
  }
}

/** What one conversion has seen so far. */
interface Walk {
  readonly ctx: ReadContext;
  /** Anchors defined so far, in document order: an alias names the latest one before it. */
  readonly anchors: Map<string, Node>;
  values: number;
  /** Inside an alias's target: anchors there are not new definitions, duplicate keys already reported. */
  expanding: number;
  /** The alias being expanded, outermost: where a limit passed inside its target is reported. */
  outerAlias?: { readonly node: Node; readonly path: string };
}

/**
 * Converts a YAML node (and what its aliases point at) into a tree node.
 * Throws TreeLimitError when the result would pass `TREE_LIMITS`.
 */
export function toTree(node: unknown, path: string, ctx: ReadContext): TreeNode {
  return convert(node, path, { ctx, anchors: new Map(), values: 0, expanding: 0 }, 0, new Set());
}

function convert(
  node: unknown,
  path: string,
  walk: Walk,
  depth: number,
  seen: ReadonlySet<Node>,
): TreeNode {
  const { ctx } = walk;
  const at = (message: string): TreeLimitError => {
    const place = walk.outerAlias ?? { node: isNode(node) ? node : null, path };
    return new TreeLimitError({ where: ctx.where(place.node), path: place.path, message });
  };
  walk.values += 1;
  if (walk.values > TREE_LIMITS.maxValues) {
    throw at(
      `the file holds more than ${TREE_LIMITS.maxValues} values${walk.expanding > 0 ? ' once its aliases are expanded (anchors that repeat anchors multiply)' : ''}; a pipeline needs far fewer`,
    );
  }
  if (depth > TREE_LIMITS.maxDepth) {
    throw at(`nested more than ${TREE_LIMITS.maxDepth} levels deep; a pipeline needs far fewer`);
  }
  if (isAlias(node)) {
    const target = walk.anchors.get(node.source);
    if (target === undefined || seen.has(target)) {
      ctx.issues.push({
        where: ctx.where(node),
        path,
        message: `cannot resolve alias *${node.source}`,
      });
      return { kind: 'scalar', value: null, reported: true, where: ctx.where(node) };
    }
    walk.expanding += 1;
    walk.outerAlias ??= { node, path };
    try {
      return convert(target, path, walk, depth, new Set([...seen, target]));
    } finally {
      walk.expanding -= 1;
      if (walk.expanding === 0) walk.outerAlias = undefined;
    }
  }
  if (walk.expanding === 0 && isNode(node) && node.anchor) walk.anchors.set(node.anchor, node);
  if (isMap(node)) {
    const entries: MapEntry[] = [];
    const keys = new Set<string>();
    for (const pair of node.items) {
      const keyNode = isScalar(pair.key) ? pair.key : null;
      const key = keyNode ? String(keyNode.value) : String(pair.key);
      const keyWhere = ctx.where(keyNode ?? node);
      if (keys.has(key)) {
        // Reported here rather than by the parser, whose check is quadratic in the keys.
        if (walk.expanding === 0) {
          ctx.issues.push({
            where: keyWhere,
            path: keyPath(path, key),
            message: `YAML syntax error: map keys must be unique; "${clipped(key)}" appears twice`,
          });
        }
        continue;
      }
      keys.add(key);
      const value = pair.value ?? emptyScalarAt(keyNode);
      entries.push({
        key,
        keyWhere,
        value: convert(value, keyPath(path, key), walk, depth + 1, seen),
      });
    }
    return { kind: 'map', entries, where: ctx.where(node) };
  }
  if (isSeq(node)) {
    const items = node.items.map((item, i) =>
      convert(item, indexPath(path, i), walk, depth + 1, seen),
    );
    return { kind: 'list', items, where: ctx.where(node) };
  }
  if (isScalar(node)) return scalar(node, path, ctx);
  return { kind: 'scalar', value: null, where: ctx.where(null) };
}

function emptyScalarAt(key: Scalar | null): Scalar {
  const s = new Scalar(null);
  if (key?.range) s.range = key.range;
  return s;
}

/**
 * A scalar, interpolated. A scalar that was exactly one `${…}` is read again as
 * YAML, so `fps: ${FPS:-30}` is the number 30 (quoted or not: inside `[ ]` and
 * `{ }` it must be quoted). String options still get the exact text, so
 * `port: ${PORT}` with PORT=0800 stays "0800" where a string is expected.
 */
function scalar(node: Scalar, path: string, ctx: ReadContext): ScalarNode {
  const where = ctx.where(node);
  if (typeof node.value !== 'string') {
    // `type: null`, `name: 007`: where a string is expected, the text as written counts.
    const text = node.type === Scalar.PLAIN && node.source ? node.source : undefined;
    return { kind: 'scalar', value: node.value, ...(text === undefined ? {} : { text }), where };
  }
  if (ctx.env === undefined) return { kind: 'scalar', value: node.value, where };
  const result = interpolate(node.value, ctx.env);
  if (!result.ok) {
    ctx.issues.push({ where, path, message: result.message, hints: [result.hint] });
    return { kind: 'scalar', value: node.value, reported: true, where };
  }
  const written = result.value === node.value ? {} : { written: node.value };
  if (result.whole) {
    const value = scalarValue(result.value);
    return { kind: 'scalar', value, text: result.value, ...written, where };
  }
  return { kind: 'scalar', value: result.value, ...written, where };
}

/** `"30"` → 30, `"true"` → true, `""` → null; anything that is not one YAML scalar stays text. */
export function scalarValue(text: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text;
  if (doc.contents === null) return null;
  return isScalar(doc.contents) ? doc.contents.value : text;
}

/** `where` for a file read with a LineCounter: the node's first character. */
export function fileWhere(lineCounter: LineCounter): (node: Node | null) => Where {
  return (node) => {
    const offset = node?.range?.[0];
    return offset === undefined
      ? { pos: { line: 1, col: 1 } }
      : { pos: lineCounter.linePos(offset) };
  };
}

/** The entry of a mapping with that key, if any. */
export function entry(map: MapNode, key: string): MapEntry | undefined {
  return map.entries.find((e) => e.key === key);
}
