/** The evaluation report as a fixed-width text table, the way `framewire eval` prints it. */
import type { EvaluationReport } from './run-evaluation.ts';

/** Metrics print with three decimals; undefined ones (-1, absent class) as a dash. */
function num(v: number): string {
  return v > -1 ? v.toFixed(3) : '—';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  '),
    )
    .join('\n');
}

export function formatReport(report: EvaluationReport): string {
  const r = report.result;
  const names = new Map(report.categories.map((c) => [c.id, c.name]));
  const t = r.atThreshold;
  const thr = `@${t.scoreThreshold}`;
  const rows: string[][] = [['class', 'objects', 'AP', 'AP50', 'AP75', `P${thr}`, `R${thr}`]];
  for (const c of r.perClass) {
    rows.push([
      names.get(c.classId) ?? String(c.classId),
      String(c.positives),
      num(c.ap),
      num(c.ap50),
      num(c.ap75),
      num(c.precision),
      num(c.recall),
    ]);
  }
  rows.push([
    'all',
    String(r.perClass.reduce((n, c) => n + c.positives, 0)),
    num(r.map),
    num(r.map50),
    num(r.map75),
    num(t.precision),
    num(t.recall),
  ]);
  // Mask mAP says so: the same names mean mask IoU and mask areas.
  const kind = r.iouType === 'segm' ? 'mask ' : '';
  const lines = [
    table(rows),
    '',
    `${kind}mAP@[.50:.95] ${num(r.map)}   mAP@.50 ${num(r.map50)}   mAP@.75 ${num(r.map75)}`,
    `AP small ${num(r.mapSmall)}   medium ${num(r.mapMedium)}   large ${num(r.mapLarge)}   AR@100 ${num(r.mar100)}`,
    `${r.images} images, ${t.tp} TP, ${t.fp} FP, ${t.fn} FN at score ≥ ${t.scoreThreshold}, IoU ≥ ${t.iou}; — = class absent from the ground truth`,
  ];
  if (report.imagesWithoutResults.length) {
    lines.push(
      `warning: ${report.imagesWithoutResults.length} dataset images had no detect result`,
    );
  }
  if (report.resultsWithoutImage.length) {
    lines.push(`warning: ${report.resultsWithoutImage.length} results matched no dataset image`);
  }
  const unknown = Object.entries(report.unknownLabels);
  if (unknown.length) {
    lines.push(
      `warning: labels not in the dataset: ${unknown.map(([l, n]) => `${l} (${n})`).join(', ')}`,
    );
  }
  return lines.join('\n');
}
