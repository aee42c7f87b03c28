import { existsSync, readFileSync } from 'node:fs';

/** A JSON-lines record as the tests read it: frame records have no `type`, health records do. */
export interface JsonlLine {
  readonly type?: string;
  readonly seq?: number;
  readonly state?: string;
  readonly detail?: string;
}

/** The whole lines written so far (a line still being written is left out); none if no file yet. */
export function jsonlLines(path: string): JsonlLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as JsonlLine);
}
