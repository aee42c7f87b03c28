import { CONTROL_CHARACTER, clipped, expected, got, inRange, range } from './describe.ts';
import type { Issue, Where } from './issues.ts';
import { checkSize } from './read-size.ts';
import type { Field, Fields } from '../core/schema.ts';
import type { MapNode, TreeNode } from './tree.ts';
import { suggestName } from './suggest-name.ts';
import { indexPath, keyPath } from './yaml-path.ts';

/**
 * Validates a mapping against declared fields and returns the plain options,
 * defaults applied. Problems go to `issues` rather than throwing, so one pass
 * reports every mistake in the file. Keys in `skip` (a component's `type`) are
 * handled by the caller.
 */
export function readFields(
  map: MapNode,
  fields: Fields,
  path: string,
  issues: Issue[],
  skip: readonly string[] = [],
): Record<string, unknown> {
  const declared = Object.keys(fields);
  for (const e of map.entries) {
    if (skip.includes(e.key) || Object.hasOwn(fields, e.key)) continue;
    const issue = unknownKey(e.key, e.keyWhere, keyPath(path, e.key), [...declared, ...skip]);
    // `allowed: type` would mislead: the component itself has no options.
    issues.push(declared.length > 0 ? issue : { ...issue, hints: noOptions(issue.hints) });
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) {
    const node = map.entries.find((e) => e.key === key)?.value;
    const value = readField(node, field, keyPath(path, key), map.where, issues);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function unknownKey(key: string, where: Where, path: string, known: string[]): Issue {
  const suggestion = suggestName(key, known);
  const hints = suggestion ? [`did you mean "${suggestion}"?`] : [];
  hints.push(known.length > 0 ? `allowed: ${known.join(', ')}` : 'this takes no options');
  return { where, path: clipped(path), message: `unknown key "${clipped(key)}"`, hints };
}

function noOptions(hints: readonly string[] = []): string[] {
  return [...hints.filter((h) => !h.startsWith('allowed:')), 'this takes no options'];
}

/**
 * One value. An absent key, or an empty one (`key:`) where the field has a
 * default or is optional, takes the default; otherwise the value must match.
 */
export function readField(
  node: TreeNode | undefined,
  field: Field,
  path: string,
  parent: Where,
  issues: Issue[],
): unknown {
  const wantsText = takesText(field);
  const empty =
    node?.kind === 'scalar' && node.value === null && (node.text === undefined || !wantsText);
  if (node === undefined || (empty && (field.default !== undefined || field.optional))) {
    if (field.default !== undefined) return structuredClone(field.default);
    if (!field.optional) {
      issues.push({ where: parent, path, message: `required key is missing: ${field.doc}` });
    }
    return undefined;
  }
  if (node.kind === 'scalar' && node.reported) return undefined;
  const problem = (message: string, hints?: string[]): undefined => {
    issues.push({ where: node.where, path, message, ...(hints ? { hints } : {}) });
    return undefined;
  };
  const mismatch = (): undefined =>
    problem(`expected ${expected(field)}, got ${got(node)}`, quoteHint(node, field));

  switch (field.kind) {
    case 'string': {
      const text = textOf(node);
      if (text === undefined) return mismatch();
      const min = field.minLength ?? 0;
      if (text.length < min) {
        return problem(min === 1 ? 'must not be empty' : `must be at least ${min} characters long`);
      }
      const control = controlCharacter(text, node);
      if (control !== undefined) return problem(control);
      return text;
    }
    case 'size': {
      const text = textOf(node);
      if (text === undefined) return mismatch();
      const size = checkSize(text, field);
      return size.ok ? size.value : problem(`${size.message}, got ${got(node)}`);
    }
    case 'number': {
      const v = node.kind === 'scalar' ? node.value : undefined;
      if (typeof v !== 'number') return mismatch();
      if (!Number.isFinite(v)) return problem(`expected a finite number, got ${v}`);
      if (field.integer && !Number.isInteger(v)) return problem(`expected an integer, got ${v}`);
      if (!inRange(field, v)) return problem(`must be ${range(field)}, got ${v}`);
      return v;
    }
    case 'boolean': {
      const v = node.kind === 'scalar' ? node.value : undefined;
      return typeof v === 'boolean' ? v : mismatch();
    }
    case 'enum': {
      const text = textOf(node);
      if (text === undefined) return mismatch();
      if (field.values.includes(text)) return text;
      const suggestion = suggestName(text, field.values);
      const shown =
        node.kind === 'scalar' && node.written !== undefined ? got(node) : `"${clipped(text)}"`;
      return problem(`${shown} is not allowed`, [
        ...(suggestion ? [`did you mean "${suggestion}"?`] : []),
        `allowed: ${field.values.join(', ')}`,
      ]);
    }
    case 'list': {
      if (node.kind !== 'list') return mismatch();
      const count = node.items.length;
      if (field.minItems !== undefined && count < field.minItems) {
        return problem(`needs at least ${items(field.minItems)}, got ${count}`);
      }
      if (field.maxItems !== undefined && count > field.maxItems) {
        return problem(`takes at most ${items(field.maxItems)}, got ${count}`);
      }
      const before = issues.length;
      const values = node.items.map((item, i) =>
        readField(item, field.item as Field, indexPath(path, i), item.where, issues),
      );
      return issues.length === before ? values : undefined;
    }
    case 'object':
      return node.kind === 'map'
        ? readFields(node, field.fields as Fields, path, issues)
        : mismatch();
    case 'union':
      return readUnion(node, field.options as readonly Field[], path, issues, mismatch);
  }
}

/**
 * The first alternative that accepts the value wins. When none does, the
 * problems of the alternative of the same shape are the useful ones (a number
 * out of range), else the value has a shape no alternative takes.
 */
function readUnion(
  node: TreeNode,
  options: readonly Field[],
  path: string,
  issues: Issue[],
  mismatch: () => undefined,
): unknown {
  let sameShape: Issue[] | undefined;
  for (const option of options) {
    const attempt: Issue[] = [];
    const value = readField(node, option, path, node.where, attempt);
    if (attempt.length === 0) return value;
    if (sameShape === undefined && shapeFits(node, option)) sameShape = attempt;
  }
  if (sameShape === undefined) return mismatch();
  issues.push(...sameShape);
  return undefined;
}

function shapeFits(node: TreeNode, field: Field): boolean {
  if (field.kind === 'list') return node.kind === 'list';
  if (field.kind === 'object') return node.kind === 'map';
  if (node.kind !== 'scalar') return false;
  if (takesText(field)) return typeof node.value === 'string';
  if (field.kind === 'number') return typeof node.value === 'number';
  if (field.kind === 'boolean') return typeof node.value === 'boolean';
  return false;
}

/** Options whose value is text: they read a scalar as written (`007`, `${PORT}`). */
function takesText(field: Field): boolean {
  return field.kind === 'string' || field.kind === 'enum' || field.kind === 'size';
}

/**
 * No option value holds a control character: in a path the operating system
 * would cut the name at a NUL or reject it late, and in a name it would garble
 * logs and terminals. YAML writes them only as escapes ("\0", "\x1b").
 */
function controlCharacter(text: string, node: TreeNode): string | undefined {
  const at = text.search(CONTROL_CHARACTER);
  if (at < 0) return undefined;
  const code = text.charCodeAt(at).toString(16).padStart(4, '0').toUpperCase();
  return `must not contain control characters, got U+${code} at character ${at + 1} of ${got(node)}`;
}

/** A string option reads the text the value was written as (`${PORT}` → "0800"). */
function textOf(node: TreeNode): string | undefined {
  if (node.kind !== 'scalar') return undefined;
  if (node.text !== undefined) return node.text;
  return typeof node.value === 'string' ? node.value : undefined;
}

/** `name: 2024` is a number in YAML; say how to make it text. */
function quoteHint(node: TreeNode, field: Field): string[] | undefined {
  const wantsText = takesText(field);
  if (!wantsText || node.kind !== 'scalar') return undefined;
  const v = node.value;
  if (typeof v !== 'number' && typeof v !== 'boolean') return undefined;
  return [`quote it to make it text: "${String(v)}"`];
}

function items(n: number): string {
  return n === 1 ? '1 item' : `${n} items`;
}
