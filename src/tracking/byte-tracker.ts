import type { Detections } from '../core/detections.ts';
import { LOW_SCORE_MATCH_IOU } from './options.ts';
import type { Track } from './track.ts';
import { type Association, indicesWhere, Tracker } from './tracker.ts';

/**
 * ByteTrack (Zhang et al., 2022): every detection box counts, not only the
 * confident ones. Three associations per frame:
 * 1. confirmed tracks (tracked and lost) with high-score detections (IoU ≥ matchIou);
 * 2. the tracks still unmatched that were tracked in the previous frame with
 *    low-score detections (lowThreshold ≤ score < highThreshold, IoU ≥ 0.5 or
 *    matchIou if higher) — an occluded person's weak box keeps its track alive
 *    instead of starting a lost period;
 * 3. tentative tracks with the high-score detections left (IoU ≥ matchIou).
 * Only high-score detections left after that start tracks; low-score ones never do.
 */
export class ByteTracker extends Tracker {
  protected associate(tracks: readonly Track[], detections: Detections): Association {
    const { highThreshold, lowThreshold, matchIou } = this.options;
    const high = indicesWhere(detections, (s) => s >= highThreshold);
    const low = indicesWhere(detections, (s) => s >= lowThreshold && s < highThreshold);
    const confirmed: number[] = [];
    const tentative: number[] = [];
    tracks.forEach((t, i) => {
      (t.state === 'tentative' ? tentative : confirmed).push(i);
    });

    const first = this.matchByIou(tracks, confirmed, detections, high, matchIou);
    const wasTracked = first.tracksLeft.filter((t) => tracks[t]!.state === 'tracked');
    const lowIou = Math.max(matchIou, LOW_SCORE_MATCH_IOU);
    const second = this.matchByIou(tracks, wasTracked, detections, low, lowIou);
    const third = this.matchByIou(tracks, tentative, detections, first.detsLeft, matchIou);
    return {
      matches: [...first.matches, ...second.matches, ...third.matches],
      births: third.detsLeft,
    };
  }
}
