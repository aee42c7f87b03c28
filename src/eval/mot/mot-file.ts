/**
 * MOTChallenge text files: one box per line, `frame,id,x,y,w,h,conf,...`, with
 * 1-based frames and the box as top-left corner plus size in pixels. Ground
 * truth files carry `conf` as a "consider this entry" flag (the 7th column); a
 * row with conf 0 is ignored, as the devkit and py-motmetrics (min_confidence 1)
 * do. Class and visibility columns (8th, 9th) are read by nothing: distractor
 * classes are not treated specially (keep it simple; see the README).
 */

/** The rows of one frame: ids and boxes `[x1, y1, x2, y2]` (flattened). */
export interface MotFrame {
  ids: number[];
  boxes: number[];
}

/** A whole sequence, frames keyed by their (1-based) number. */
export type MotSequence = Map<number, MotFrame>;

export class MotParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'MotParseError';
  }
}

/**
 * Parses a MOTChallenge file. Separators may be commas or whitespace; blank
 * lines are skipped. `ignoreZeroConf` (ground truth) drops rows whose 7th
 * column is 0; results keep every row whatever their score.
 */
export function parseMot(text: string, opts: { ignoreZeroConf: boolean }): MotSequence {
  const frames: MotSequence = new Map();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    const cols = line.split(/\s*,\s*|\s+/);
    if (cols.length < 6) {
      throw new MotParseError(n + 1, `expected frame,id,x,y,w,h[,conf,…], got "${line}"`);
    }
    const v = cols.map(Number);
    const [frame, id, x, y, w, h] = v as [number, number, number, number, number, number];
    if (!Number.isInteger(frame) || frame < 1) {
      throw new MotParseError(
        n + 1,
        `frame must be an integer ≥ 1 (frames are 1-based), got "${cols[0]}"`,
      );
    }
    if (!Number.isFinite(id))
      throw new MotParseError(n + 1, `id must be a number, got "${cols[1]}"`);
    for (let k = 2; k < 6; k++) {
      if (!Number.isFinite(v[k]))
        throw new MotParseError(n + 1, `column ${k + 1} must be a number, got "${cols[k]}"`);
    }
    if (opts.ignoreZeroConf && cols.length > 6 && v[6] === 0) continue;
    let f = frames.get(frame);
    if (!f) {
      f = { ids: [], boxes: [] };
      frames.set(frame, f);
    }
    f.ids.push(id);
    f.boxes.push(x, y, x + w, y + h);
  }
  return frames;
}
