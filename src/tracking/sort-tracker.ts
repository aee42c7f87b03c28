import type { Detections } from '../core/detections.ts';
import type { Track } from './track.ts';
import { type Association, indicesWhere, Tracker } from './tracker.ts';

/**
 * SORT (Bewley et al., 2016) on the same Kalman filter and life cycle: one
 * association of every track with the detections scoring at least
 * `highThreshold` (IoU ≥ matchIou); lower-scoring detections are ignored (they
 * come back with no track id). Unmatched high-score detections start tracks.
 * Cheaper than ByteTrack, but a track whose detections turn weak is lost.
 */
export class SortTracker extends Tracker {
  protected associate(tracks: readonly Track[], detections: Detections): Association {
    const high = indicesWhere(detections, (s) => s >= this.options.highThreshold);
    const all = tracks.map((_, i) => i);
    const { matches, detsLeft } = this.matchByIou(
      tracks,
      all,
      detections,
      high,
      this.options.matchIou,
    );
    return { matches, births: detsLeft };
  }
}
