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
  const measured = new Map(
    sections.map((s) => [
      s.title,
      [
        `## ${s.title}`,
        '',
        `_Measured ${date} on ${machine}._`,
        '',
        s.note,
        '',
        // A section whose note holds its own table (fan-out) has no ratio rows.
        ...(s.rows.length > 0 ? [formatRows(s.rows)] : []),
        '',
      ].join('\n'),
    ]),
  );
  // `npm run bench rtsp` measures one section: the others keep their last figures.
  const kept = keptSections(path).filter((s) => !measured.has(s.title));
  const body = [
    '# Benchmarks',
    '',
    'Written by `npm run bench`. Every ratio compares two things measured side by side in',
    'the same run on the same machine (alternating, median of the runs), so the ratio is',
    'meaningful even where absolute numbers are not. `npm run bench NAME` re-measures one',
    'section and keeps the others as they were.',
    '',
    'Each section names the machine and the date it was measured on.',
    '',
    ...kept.map((s) => s.text),
    ...measured.values(),
  ].join('\n');
  writeFileSync(path, body + keptHistory(path));
}

/** The measured `## ` sections of an existing report (before the history marker), in order. */
function keptSections(path: string): { title: string; text: string }[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const end = text.indexOf(HISTORY_MARKER);
  const measured = end < 0 ? text : text.slice(0, end);
  // Reports written before sections carried their own line said it once, at the top.
  const old = /^Machine: (.*)\. Date: (\d{4}-\d{2}-\d{2})\.$/m.exec(measured);
  return measured
    .split(/^(?=## )/m)
    .filter((part) => part.startsWith('## '))
    .map((part) => {
      const heading = part.slice(0, part.indexOf('\n'));
      const rest = part.slice(heading.length).trimStart();
      const dated =
        rest.startsWith('_Measured ') || !old
          ? rest
          : `_Measured ${old[2]} on ${old[1]}._\n\n${rest}`;
      return { title: heading.slice(3).trim(), text: `${heading}\n\n${dated.trimEnd()}\n` };
    });
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
