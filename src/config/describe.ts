import type { Field, NumberField } from '../core/schema.ts';
import type { TreeNode } from './tree.ts';

/**
 * Words for what a field accepts and what the user wrote, shared by error
 * messages and the generated reference so both say the same thing.
 */
export function expected(field: Field): string {
  switch (field.kind) {
    case 'string':
      return field.format ?? 'a string';
    case 'size':
      return 'a size WIDTHxHEIGHT';
    case 'number':
      return field.integer ? 'an integer' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${field.values.join(', ')}`;
    case 'list':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'union':
      return (field.options as readonly Field[]).map(expected).join(' or ');
  }
}

/**
 * `string "abc"`, `number 3`, `true`, `null`, `a list`, `a mapping`; for text
 * that came from `${VAR}`, the reference instead of the (possibly secret) value.
 */
export function got(node: TreeNode): string {
  if (node.kind === 'list') return 'a list';
  if (node.kind === 'map') return 'a mapping';
  const v = node.value;
  if (node.written !== undefined && typeof v !== 'number') return `the value of "${node.written}"`;
  if (v === null || v === undefined) return 'nothing (null)';
  if (typeof v === 'string')
    return `string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === 'number') return `number ${v}`;
  if (typeof v === 'boolean') return String(v);
  return typeof v;
}

/** C0 controls and DEL: never part of a name or path a user means to write. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * User text as it may appear inside quotes in a message: at most 60
 * characters, control characters escaped (`\u0000`), so a megabyte-long or
 * binary value cannot flood or garble the terminal.
 */
export function clipped(text: string): string {
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return short.replace(new RegExp(CONTROL_CHARACTER.source, 'g'), (c) => unicodeEscape(c));
}

/** `\u0000` */
export function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `between 0 and 1`, `at least 1`, `greater than 0`…, or undefined when unbounded. */
export function range(field: NumberField): string | undefined {
  const { min, max, exclusiveMin } = field;
  const low: string[] = [];
  if (min !== undefined && max !== undefined && exclusiveMin === undefined) {
    return `between ${min} and ${max}`;
  }
  if (min !== undefined) low.push(`at least ${min}`);
  if (exclusiveMin !== undefined) low.push(`greater than ${exclusiveMin}`);
  if (max !== undefined) low.push(`at most ${max}`);
  return low.length === 0 ? undefined : low.join(' and ');
}

/** Whether a number satisfies the field's bounds (not its integer-ness). */
export function inRange(field: NumberField, value: number): boolean {
  if (field.min !== undefined && value < field.min) return false;
  if (field.exclusiveMin !== undefined && value <= field.exclusiveMin) return false;
  if (field.max !== undefined && value > field.max) return false;
  return true;
}
