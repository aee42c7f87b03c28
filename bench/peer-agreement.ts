import { readFileSync } from 'node:fs';
import { iou } from '../src/models/nms.ts';

type Box = [number, number, number, number];
interface Found {
  box: Box;
  classId: number;
}

/** One frame's detections a line, in frame order (framewire's jsonl, sorted by seq, or the peer's). */
export function readDetections(path: string): Found[][] {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const records = lines.map((l) => JSON.parse(l) as { seq?: number; detections: Found[] });
  if (records.every((r) => r.seq !== undefined)) records.sort((a, b) => a.seq! - b.seq!);
  return records.map((r) => r.detections);
}

export interface Agreement {
  frames: number;
  /** Frames where both found the same number of boxes. */
  sameCount: number;
  /** Boxes of either side paired with a box of the other (same class, IoU ≥ 0.5), over all boxes. */
  matchedShare: number;
  /** Mean IoU of the paired boxes. */
  meanIou: number;
  boxesA: number;
  boxesB: number;
}

/** Greedy pairing per frame, best IoU first, same class only. */
export function compareDetections(a: Found[][], b: Found[][]): Agreement {
  const frames = Math.min(a.length, b.length);
  let sameCount = 0;
  let matched = 0;
  let iouSum = 0;
  let boxesA = 0;
  let boxesB = 0;
  for (let f = 0; f < frames; f++) {
    const x = a[f]!;
    const y = b[f]!;
    boxesA += x.length;
    boxesB += y.length;
    if (x.length === y.length) sameCount++;
    const pairs: { i: number; j: number; v: number }[] = [];
    for (const [i, p] of x.entries()) {
      for (const [j, q] of y.entries()) {
        const v = p.classId === q.classId ? iou(p.box, q.box) : 0;
        if (v >= 0.5) pairs.push({ i, j, v });
      }
    }
    pairs.sort((p, q) => q.v - p.v);
    const usedA = new Set<number>();
    const usedB = new Set<number>();
    for (const p of pairs) {
      if (usedA.has(p.i) || usedB.has(p.j)) continue;
      usedA.add(p.i);
      usedB.add(p.j);
      matched++;
      iouSum += p.v;
    }
  }
  const total = boxesA + boxesB;
  return {
    frames,
    sameCount,
    matchedShare: total > 0 ? (2 * matched) / total : 1,
    meanIou: matched > 0 ? iouSum / matched : 0,
    boxesA,
    boxesB,
  };
}
