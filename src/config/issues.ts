import { ConfigError } from '../core/errors.ts';

/** A 1-based line and column in the pipeline file. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/**
 * Where a value came from: a place in the file, a `--set` argument, or both (a
 * list in the file that a `--set` index points past). Errors about a value say
 * where the user has to go to fix it.
 */
export interface Where {
  readonly pos?: Position;
  /** The `--set key=value` argument that supplied the value. */
  readonly set?: string;
}

/** One problem in a pipeline file; a file's problems are all reported together. */
export interface Issue {
  readonly where?: Where;
  /** YAML path of the value: `stages[1].confidence`; absent for whole-file problems. */
  readonly path?: string;
  readonly message: string;
  /** Extra indented lines: `did you mean "track"?`, `allowed: a, b`. */
  readonly hints?: readonly string[];
}

/**
 * `pipelines/demo.yaml:7:5: stages[1].confidence: must be between 0 and 1, got 1.5`,
 * then one indented line per hint. Values from `--set` name the argument instead
 * of a file position, since that is where the fix goes.
 */
export function formatIssue(file: string, issue: Issue): string {
  const pos = issue.where?.set === undefined ? issue.where?.pos : undefined;
  const head = pos ? `${file}:${pos.line}:${pos.col}: ` : `${file}: `;
  const path = issue.path ? `${clippedPath(issue.path)}: ` : '';
  const from = issue.where?.set === undefined ? '' : ` (from --set ${issue.where.set})`;
  const hints = (issue.hints ?? []).map((h) => `\n  ${h}`).join('');
  return head + path + issue.message + from + hints;
}

/** A path through a hostile key can be a megabyte long; its start says enough. */
function clippedPath(path: string): string {
  return path.length > 200 ? `${path.slice(0, 197)}...` : path;
}

/** Throws one ConfigError carrying every issue, in file order, if there are any. */
export function throwIfIssues(file: string, issues: readonly Issue[]): void {
  if (issues.length > 0) throw issuesError(file, issues);
}

/**
 * At most this many issues are printed: a file with thousands of mistakes (a
 * generated list gone wrong) would otherwise bury the terminal, and the first
 * ones are the ones to fix.
 */
export const MAX_SHOWN_ISSUES = 50;

/** One ConfigError whose message lists the issues (the first `MAX_SHOWN_ISSUES`), in file order. */
export function issuesError(file: string, issues: readonly Issue[]): ConfigError {
  const ordered = [...issues].sort(byPosition);
  const lines = ordered.slice(0, MAX_SHOWN_ISSUES).map((issue) => formatIssue(file, issue));
  const header = issues.length > 1 ? [`${file}: ${issues.length} problems`] : [];
  const more = issues.length - lines.length;
  const footer = more > 0 ? [`${file}: ${more} more problems not shown`] : [];
  return new ConfigError([...header, ...lines, ...footer].join('\n'));
}

/** File positions first, in reading order; `--set` problems keep their order after them. */
function byPosition(a: Issue, b: Issue): number {
  const pa = a.where?.set === undefined ? a.where?.pos : undefined;
  const pb = b.where?.set === undefined ? b.where?.pos : undefined;
  if (pa && pb) return pa.line - pb.line || pa.col - pb.col;
  if (pa) return -1;
  if (pb) return 1;
  return 0;
}
