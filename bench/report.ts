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
  const date = new Date().toISOString().slice(0, 10);
  const fresh = new Map(
    sections.map((s) => [
      s.title,
      [
        `## ${s.title}`,
        '',
        s.note,
        '',
        ...(s.rows.length > 0 ? [formatRows(s.rows), ''] : []),
        `Measured on ${machine}, ${date}.`,
        '',
      ].join('\n'),
    ]),
  );
  // A run of some benchmarks (`npm run bench websocket`) keeps the others' last
  // figures, and the machine line that describes them.
  const kept = keptSections(path);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const oldMachine = /^Machine: .*$/m.exec(old)?.[0];
  const keepsOld = [...kept.keys()].some((t) => !fresh.has(t));
  const titles = [...kept.keys(), ...[...fresh.keys()].filter((t) => !kept.has(t))];
  const body = [
    '# Benchmarks',
    '',
    'Written by `npm run bench`. Every ratio compares two things measured side by side in',
    'the same run on the same machine (alternating, median of the runs), so the ratio is',
    'meaningful even where absolute numbers are not.',
    '',
    keepsOld && oldMachine ? oldMachine : `Machine: ${machine}. Date: ${date}.`,
    '',
    ...titles.map((t) => fresh.get(t) ?? kept.get(t)!),
  ].join('\n');
  writeFileSync(path, body + keptHistory(path));
}

/** The measured sections above the history marker, by title, each as written (ending in a blank line). */
function keptSections(path: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(path)) return out;
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(HISTORY_MARKER);
  const measured = at < 0 ? text : text.slice(0, at);
  for (const part of measured.split(/^(?=## )/m).slice(1)) {
    const title = part.slice(3, part.indexOf('\n')).trim();
    out.set(title, part.replace(/\n*$/, '\n'));
  }
  return out;
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
