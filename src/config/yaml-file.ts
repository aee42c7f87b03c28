import { open } from 'node:fs/promises';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { type Issue, issuesError, type Position } from './issues.ts';
import { fileWhere, TreeLimitError, type TreeNode, toTree } from './tree.ts';

/**
 * The largest pipeline file or model descriptor read. Real ones are a few
 * kilobytes (a thousand labels is about 20 KiB); the bound keeps a wrong or
 * hostile file (a video passed by mistake, 50 MB of list items) from costing
 * more than a second of parsing: the YAML parser takes a few microseconds per
 * value even unloaded.
 */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** C0 controls but tab, line feed and carriage return, and DEL: YAML text has none. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const NOT_YAML_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Reads at most `MAX_CONFIG_BYTES + 1` bytes of a file, so a huge file, a
 * pipe or `/dev/zero` cannot exhaust memory. Errors of the file system
 * (ENOENT, EISDIR, EACCES) pass through for the caller to word.
 */
export async function readConfigBytes(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const out = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    while (length < out.length) {
      const { bytesRead } = await handle.read(out, length, out.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return out.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/**
 * The file's bytes as text, or one ConfigError naming the place: too large,
 * not UTF-8, or holding control characters (a binary file). `what` names the
 * file in messages ("pipeline file", "model descriptor").
 */
export function configText(bytes: Buffer, file: string, what: string): string {
  const fail = (pos: Position, message: string) => issuesError(file, [{ where: { pos }, message }]);
  if (bytes.length > MAX_CONFIG_BYTES) {
    const head = new TextDecoder().decode(bytes.subarray(0, MAX_CONFIG_BYTES));
    throw fail(
      positionOf(head, head.length),
      `the ${what} is larger than ${MAX_CONFIG_BYTES / 1024} KiB; it should be a few kilobytes of YAML (is it the right file?)`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw fail(
      positionOf(bad.before, bad.before.length),
      `the ${what} is not UTF-8 text: byte 0x${bytes[bad.offset]!.toString(16).padStart(2, '0')} at offset ${bad.offset} (save it as UTF-8; is it a binary file?)`,
    );
  }
  const control = text.search(NOT_YAML_TEXT);
  if (control >= 0) {
    const code = text.charCodeAt(control).toString(16).padStart(4, '0').toUpperCase();
    throw fail(
      positionOf(text, control),
      `the ${what} holds the control character U+${code}; it must be YAML text (is it a binary file?)`,
    );
  }
  return text;
}

/**
 * The first byte that is not part of valid UTF-8, and the text before it.
 * The lenient decoder turns each bad sequence into U+FFFD; a U+FFFD that the
 * file really contains (bytes EF BF BD) is skipped.
 */
function firstInvalidUtf8(bytes: Buffer): { offset: number; before: string } {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  let offset = 0;
  let from = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) {
    offset += Buffer.byteLength(text.slice(from, i));
    from = i;
    const real = bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd;
    if (!real) return { offset, before: text.slice(0, i) };
  }
  return { offset: bytes.length - 1, before: text };
}

/** 1-based line and column of a character index. */
function positionOf(text: string, index: number): Position {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < lineStart; i = text.indexOf('\n', i + 1)) line++;
  return { line, col: index - lineStart + 1 };
}

export interface YamlTreeOptions {
  /** Where `${VAR}` values come from. */
  readonly env: NodeJS.ProcessEnv;
  /** Problems that do not stop reading (an unset variable, a duplicate key) go here. */
  readonly issues: Issue[];
  /** Names the file in messages: "pipeline file", "model descriptor". */
  readonly what: string;
}

/**
 * Parses YAML text into the tree validation works on; null for a file with no
 * content. Syntax errors and files past `TREE_LIMITS` throw one ConfigError.
 */
export function yamlTree(text: string, file: string, opts: YamlTreeOptions): TreeNode | null {
  const lineCounter = new LineCounter();
  // The parser's own duplicate-key check is quadratic in the keys of a map; the tree reports duplicates.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw issuesError(file, [syntaxIssue(doc.errors, text, lineCounter, opts.what)]);
  }
  if (doc.contents === null) return null;
  try {
    return toTree(doc.contents, '', {
      where: fileWhere(lineCounter),
      env: opts.env,
      issues: opts.issues,
    });
  } catch (err) {
    if (err instanceof TreeLimitError) throw issuesError(file, [...opts.issues, err.issue]);
    throw err;
  }
}

/**
 * Only the first YAML error: the parser's later errors are nearly always
 * consequences of it and would bury it.
 */
function syntaxIssue(
  errors: readonly YAMLError[],
  text: string,
  lineCounter: LineCounter,
  what: string,
): Issue {
  const first = errors[0]!;
  const pos = lineCounter.linePos(first.pos[0]);
  const lineStart = lineCounter.lineStarts[pos.line - 1] ?? 0;
  const lineEnd = text.indexOf('\n', lineStart);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  const hints: string[] = [];
  // `{` and `}` are flow-mapping brackets, so an unquoted ${VAR} inside [ ] or { } breaks the line.
  if (line.includes('${') && /[[{]/.test(line.replaceAll('${', ''))) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shows users the ${…} syntax
    hints.push('inside [ ] or { }, quote values that contain ${...}: "${VAR}"');
  }
  const message =
    first.code === 'MULTIPLE_DOCS'
      ? `a second YAML document (---) starts here; a ${what} holds exactly one`
      : // The parser recurses per nesting level and reports running out of stack as its error.
        first.message.includes('call stack')
        ? 'nested too deeply to parse (thousands of [ or { inside each other?)'
        : first.message;
  return { where: { pos }, message: `YAML syntax error: ${message}`, hints };
}
