import type { MotMetrics } from './evaluate-mot.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The metrics as a readable two-column table, the way `framewire eval track` prints them. */
export function formatMotReport(m: MotMetrics): string {
  const rows: [string, string, string][] = [
    ['MOTA', pct(m.mota), '1 - (FN + FP + IDSW) / GT'],
    ['IDF1', pct(m.idf1), 'identity F1 (global id matching)'],
    ['IDP', pct(m.idp), 'identity precision'],
    ['IDR', pct(m.idr), 'identity recall'],
    [
      'MOTP',
      m.motp.toFixed(3),
      `mean 1 - IoU of matches (py-motmetrics); mean IoU ${m.motpIou.toFixed(3)}`,
    ],
    ['Recall', pct(m.recall), 'matched GT boxes / GT boxes'],
    ['Precision', pct(m.precision), 'matched predictions / predictions'],
    ['ID switches', String(m.idSwitches), 'GT object matched to another id than before'],
    ['Fragmentations', String(m.fragmentations), 'tracked → missed interruptions'],
    [
      'Mostly tracked',
      String(m.mostlyTracked),
      `of ${m.numObjects} GT objects, ≥ 80% of frames matched`,
    ],
    ['Partially tracked', String(m.partiallyTracked), '20-80%'],
    ['Mostly lost', String(m.mostlyLost), '< 20%'],
    ['False positives', String(m.falsePositives), ''],
    ['False negatives', String(m.falseNegatives), ''],
    ['GT boxes', String(m.numGt), `${m.numFrames} frames, IoU ≥ ${m.iouThreshold} to match`],
    ['Predicted boxes', String(m.numPredictions), ''],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows
    .map(([k, v, note]) => `${k.padEnd(w0)}  ${v.padStart(w1)}${note ? `  ${note}` : ''}`)
    .join('\n');
}
