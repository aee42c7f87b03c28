/**
 * framewire JSON-lines records → MOTChallenge results rows. The record's `seq`
 * (0-based) becomes the 1-based MOT frame `seq + 1`; each detection with a
 * track id becomes `frame,id,x,y,w,h,score,-1,-1,-1` (box corners to corner +
 * size). Detections without a track id (no tracker, or a tentative track) have
 * no identity to evaluate and are left out.
 */
export function recordToMotRows(record: unknown, line: number): string[] {
  if (typeof record !== 'object' || record === null) {
    throw new Error(`line ${line}: not a JSON object`);
  }
  const r = record as { seq?: unknown; detections?: unknown };
  if (typeof r.seq !== 'number' || !Number.isInteger(r.seq) || r.seq < 0) {
    throw new Error(`line ${line}: "seq" must be a non-negative integer`);
  }
  if (!Array.isArray(r.detections)) throw new Error(`line ${line}: "detections" must be an array`);
  const rows: string[] = [];
  for (const d of r.detections as { box?: unknown; score?: unknown; trackId?: unknown }[]) {
    if (typeof d?.trackId !== 'number' || d.trackId < 0) continue;
    const b = d.box;
    if (!Array.isArray(b) || b.length !== 4 || !b.every((v) => typeof v === 'number')) {
      throw new Error(`line ${line}: a detection's "box" must be [x1, y1, x2, y2]`);
    }
    const [x1, y1, x2, y2] = b as number[];
    const score = typeof d.score === 'number' ? d.score : 1;
    rows.push(
      [r.seq + 1, d.trackId, x1, y1, fmt(x2! - x1!), fmt(y2! - y1!), score, -1, -1, -1].join(','),
    );
  }
  return rows;
}

/** Sizes from subtracting rounded coordinates: round to 1/100 px again to drop float noise. */
function fmt(v: number): number {
  return Math.round(v * 100) / 100;
}
