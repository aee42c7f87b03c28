import { linearAssignment } from '../../tracking/linear-assignment.ts';
import type { ClearMotTally } from './clear-mot.ts';

export interface IdentityCounts {
  idtp: number;
  idfp: number;
  idfn: number;
}

/**
 * Identity metrics (Ristani et al. 2016): each ground-truth trajectory is
 * paired with at most one predicted trajectory, once for the whole sequence,
 * to maximise the frames in which the pair overlaps (IoU ≥ threshold) — the
 * same global minimum-cost bipartite matching py-motmetrics solves with dummy
 * nodes, reduced here to its equivalent: maximise the summed overlap frames
 * (cost = -frames). IDTP are those frames; every other ground-truth row is an
 * IDFN, every other predicted row an IDFP.
 */
export function identityCounts(t: ClearMotTally): IdentityCounts {
  const gtIds = [...t.gtCounts.keys()];
  const predIds = [...t.predCounts.keys()];
  const row = new Map(gtIds.map((id, i) => [id, i]));
  const col = new Map(predIds.map((id, j) => [id, j]));
  const cost = new Float64Array(gtIds.length * predIds.length);
  for (const { gt, pred, frames } of t.overlaps.values()) {
    cost[row.get(gt)! * predIds.length + col.get(pred)!] = -frames;
  }
  const a = linearAssignment(cost, gtIds.length, predIds.length);
  const idtp = 0 - a.cost;
  return { idtp, idfp: t.numPredictions - idtp, idfn: t.numGt - idtp };
}
