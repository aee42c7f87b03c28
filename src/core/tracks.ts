import type { Frame } from './frame.ts';

/**
 * A confirmed track as the `track` stage publishes it in `frame.meta.tracks`
 * (for trails, HUDs and counting): tracked ones with their filtered box, lost
 * ones with the box the motion model predicts for this frame. Declared in core
 * because frame metadata carries it; the tracking library produces it.
 */
export interface TrackInfo {
  /** Public id: ≥ 1, stable, never reused within a run. */
  id: number;
  state: 'tracked' | 'lost';
  /** `[x1, y1, x2, y2]` in source-frame pixels: filtered (tracked) or predicted (lost). */
  box: [number, number, number, number];
  classId: number;
  /** Score of the detection last matched. */
  score: number;
  /**
   * Nominal frames since the last matched detection: 0 when matched on this
   * frame; on frames `detect` skipped (`interval`), the frames since the last
   * inferred frame, even for a track still tracked.
   */
  framesLost: number;
  /** Frames in which a detection was matched, over the track's life. */
  hits: number;
}

/** The confirmed tracks a `track` stage left on a frame; undefined if none ran on it. */
export function tracksOf(frame: Frame): readonly TrackInfo[] | undefined {
  return frame.meta.tracks;
}
