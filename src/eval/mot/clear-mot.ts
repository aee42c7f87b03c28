import { iouAt } from '../../models/nms.ts';
import { linearAssignment } from '../../tracking/linear-assignment.ts';
import type { MotFrame, MotSequence } from './mot-file.ts';

/** What happened to one ground-truth object in one frame. */
type ObjectEvent = 'tracked' | 'missed';

/** Raw CLEAR-MOT tallies over a sequence, plus what the identity metrics need. */
export interface ClearMotTally {
  numGt: number;
  numPredictions: number;
  /** Matched pairs, switches included (py-motmetrics' num_detections). */
  matches: number;
  switches: number;
  misses: number;
  falsePositives: number;
  /** Sum of 1 - IoU over matched pairs. */
  distanceSum: number;
  /** Per ground-truth id, its events in frame order. */
  history: Map<number, ObjectEvent[]>;
  /** Rows per ground-truth id and per predicted id. */
  gtCounts: Map<number, number>;
  predCounts: Map<number, number>;
  /** Frames in which each (gt id, predicted id) pair overlapped by IoU ≥ threshold, keyed `gt\u0000pred`. */
  overlaps: Map<string, { gt: number; pred: number; frames: number }>;
}

const EMPTY: MotFrame = { ids: [], boxes: [] };

/**
 * Per-frame correspondences the CLEAR-MOT way (Bernardin & Stiefelhagen 2008;
 * as py-motmetrics' MOTAccumulator does it):
 * 1. a ground-truth object matched in the previous evaluated frame keeps its
 *    predicted id if that id is present and still overlaps by IoU ≥ threshold;
 * 2. the rest are matched by optimal assignment on 1 - IoU (pairs below the
 *    threshold forbidden; most matches first, then least total distance); a
 *    match to another id than the object's last match is an ID switch;
 * 3. unmatched objects are misses, unmatched predictions false positives.
 * Frames are those present in either file, in order.
 */
export function tallyClearMot(
  gt: MotSequence,
  results: MotSequence,
  iouThreshold: number,
): ClearMotTally {
  const t: ClearMotTally = {
    numGt: 0,
    numPredictions: 0,
    matches: 0,
    switches: 0,
    misses: 0,
    falsePositives: 0,
    distanceSum: 0,
    history: new Map(),
    gtCounts: new Map(),
    predCounts: new Map(),
    overlaps: new Map(),
  };
  /** Last predicted id each object was matched to, ever (switches compare to it). */
  const lastPred = new Map<number, number>();
  /** Objects matched in the previous evaluated frame (step 1 carries only those). */
  let matchedBefore = new Set<number>();
  const frameNumbers = [...new Set([...gt.keys(), ...results.keys()])].sort((a, b) => a - b);
  const maxDistance = 1 - iouThreshold;

  for (const fn of frameNumbers) {
    const g = gt.get(fn) ?? EMPTY;
    const p = results.get(fn) ?? EMPTY;
    const no = g.ids.length;
    const nh = p.ids.length;
    t.numGt += no;
    t.numPredictions += nh;
    for (const id of g.ids) t.gtCounts.set(id, (t.gtCounts.get(id) ?? 0) + 1);
    for (const id of p.ids) t.predCounts.set(id, (t.predCounts.get(id) ?? 0) + 1);

    // Distances 1 - IoU; Infinity where the overlap is below the threshold.
    const dist = new Float64Array(no * nh);
    for (let i = 0; i < no; i++) {
      for (let j = 0; j < nh; j++) {
        const d = 1 - iouAt(g.boxes, i, p.boxes, j);
        const ok = d <= maxDistance + 1e-12;
        dist[i * nh + j] = ok ? d : Number.POSITIVE_INFINITY;
        if (ok) {
          const key = `${g.ids[i]}\u0000${p.ids[j]}`;
          const e = t.overlaps.get(key);
          if (e) e.frames++;
          else t.overlaps.set(key, { gt: g.ids[i]!, pred: p.ids[j]!, frames: 1 });
        }
      }
    }

    const gtTaken = new Uint8Array(no);
    const predTaken = new Uint8Array(nh);
    const matchedNow = new Set<number>();
    const record = (i: number, j: number, isSwitch: boolean) => {
      gtTaken[i] = 1;
      predTaken[j] = 1;
      const o = g.ids[i]!;
      t.distanceSum += dist[i * nh + j]!;
      if (isSwitch) t.switches++;
      else t.matches++;
      lastPred.set(o, p.ids[j]!);
      matchedNow.add(o);
      history(t, o).push('tracked');
    };

    // 1. Keep last frame's correspondences that still hold.
    for (let i = 0; i < no; i++) {
      const o = g.ids[i]!;
      if (!matchedBefore.has(o)) continue;
      const prev = lastPred.get(o);
      const j = p.ids.findIndex((h, k) => h === prev && !predTaken[k]);
      if (j >= 0 && Number.isFinite(dist[i * nh + j]!)) record(i, j, false);
    }
    // 2. Optimal assignment of the rest.
    const cost = Float64Array.from(dist, (d, k) =>
      gtTaken[Math.floor(k / nh)] || predTaken[k % nh] ? Number.POSITIVE_INFINITY : d,
    );
    const { rowToCol } = linearAssignment(cost, no, nh);
    for (let i = 0; i < no; i++) {
      const j = rowToCol[i]!;
      if (j < 0 || gtTaken[i]) continue;
      const o = g.ids[i]!;
      const prev = lastPred.get(o);
      record(i, j, prev !== undefined && prev !== p.ids[j]);
    }
    // 3. Misses and false positives.
    for (let i = 0; i < no; i++) {
      if (gtTaken[i]) continue;
      t.misses++;
      history(t, g.ids[i]!).push('missed');
    }
    for (let j = 0; j < nh; j++) if (!predTaken[j]) t.falsePositives++;
    matchedBefore = matchedNow;
  }
  return t;
}

function history(t: ClearMotTally, id: number): ObjectEvent[] {
  let h = t.history.get(id);
  if (!h) {
    h = [];
    t.history.set(id, h);
  }
  return h;
}

/**
 * Fragmentations: per object, the times its track is interrupted — a tracked
 * frame followed by a missed one, counted only between its first and last
 * tracked frames (so a late start or an early end is no fragmentation).
 */
export function fragmentations(history: Map<number, ObjectEvent[]>): number {
  let total = 0;
  for (const events of history.values()) {
    const first = events.indexOf('tracked');
    const last = events.lastIndexOf('tracked');
    for (let k = Math.max(first, 0) + 1; k <= last; k++) {
      if (events[k] === 'missed' && events[k - 1] === 'tracked') total++;
    }
  }
  return total;
}

/** Mostly tracked (≥ 80% of its frames matched), partially tracked (20-80%), mostly lost (< 20%). */
export function coverage(history: Map<number, ObjectEvent[]>): {
  mostlyTracked: number;
  partiallyTracked: number;
  mostlyLost: number;
} {
  const out = { mostlyTracked: 0, partiallyTracked: 0, mostlyLost: 0 };
  for (const events of history.values()) {
    const ratio = events.filter((e) => e === 'tracked').length / events.length;
    if (ratio >= 0.8) out.mostlyTracked++;
    else if (ratio >= 0.2) out.partiallyTracked++;
    else out.mostlyLost++;
  }
  return out;
}
