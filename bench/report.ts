import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** One side-by-side measurement: two things measured in the same run, and their ratio. */
export interface BenchRow {
  name: string;
  a: { label: string; value: number };
  b: { label: string; value: number };
  /** a relative to b (higher is better for framewire). */
  ratio: number;
  target?: number | undefined;
}

export function formatRows(rows: readonly BenchRow[]): string {
  const lines = [
    '| benchmark | framewire | baseline | ratio | target |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.a.value.toFixed(1)} ${r.a.label} | ${r.b.value.toFixed(1)} ${r.b.label} | **${r.ratio.toFixed(2)}** | ${r.target !== undefined ? `≥ ${r.target}` : ''} |`,
    ),
  ];
  return lines.join('\n');
}

export function writeReport(
  path: string,
  sections: { title: string; note: string; rows: BenchRow[] }[],
): void {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  const body = [
    '# Benchmarks',
    '',
    'Written by `npm run bench`. Every ratio compares two things measured side by side in',
    'the same run on the same machine (alternating, median of the runs), so the ratio is',
    'meaningful even where absolute numbers are not.',
    '',
    `Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}.`,
    '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', s.note, '', formatRows(s.rows), '']),
  ].join('\n');
  writeFileSync(path, body + keptHistory(path));
}

/**
 * Everything from this marker on is written by hand (before/after figures of a
 * change, with their dates) and survives every `npm run bench`, which rewrites
 * only the measured sections above it.
 */
export const HISTORY_MARKER = '<!-- history: kept by npm run bench -->';

function keptHistory(path: string): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(HISTORY_MARKER);
  return at < 0 ? '' : `\n${text.slice(at)}`;
}
