import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  parseDocument,
  Scalar,
} from 'yaml';
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
  readonly doc: Document;
  /** Where a YAML node sits; file nodes map their offset to a line and column. */
  readonly where: (node: Node | null) => Where;
  /** Interpolates `${VAR}` in string scalars when given (file values, not `--set` values). */
  readonly env?: NodeJS.ProcessEnv;
  readonly issues: Issue[];
}

/** Converts a YAML node (and what its aliases point at) into a tree node. */
export function toTree(
  node: unknown,
  path: string,
  ctx: ReadContext,
  seen = new Set<Node>(),
): TreeNode {
  if (isAlias(node)) {
    const target = node.resolve(ctx.doc);
    if (target === undefined || seen.has(target)) {
      ctx.issues.push({
        where: ctx.where(node),
        path,
        message: `cannot resolve alias *${node.source}`,
      });
      return { kind: 'scalar', value: null, reported: true, where: ctx.where(node) };
    }
    return toTree(target, path, ctx, new Set([...seen, target]));
  }
  if (isMap(node)) {
    const entries = node.items.map((pair): MapEntry => {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyNode = isScalar(pair.key) ? pair.key : null;
      const value = pair.value ?? null;
      return {
        key,
        keyWhere: ctx.where(keyNode ?? node),
        value: toTree(value ?? emptyScalarAt(keyNode), keyPath(path, key), ctx, seen),
      };
    });
    return { kind: 'map', entries, where: ctx.where(node) };
  }
  if (isSeq(node)) {
    const items = node.items.map((item, i) => toTree(item, indexPath(path, i), ctx, seen));
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
