/** What both trackers are tuned by; the `track` stage declares the same fields with docs and ranges. */
export interface TrackerOptions {
  /** Detections scoring at least this are associated first and may start tracks. */
  highThreshold: number;
  /** ByteTrack: detections in [lowThreshold, highThreshold) only keep existing tracks alive. */
  lowThreshold: number;
  /** A track and a detection may be matched when their IoU is at least this. */
  matchIou: number;
  /** A lost track is deleted after this many nominal frames without a match. */
  lostFrames: number;
  /** Consecutive matched frames before a track is confirmed and gets its id. */
  minHits: number;
  /** Match only detections of the track's class. */
  perClass: boolean;
  /** Nominal frame interval in µs; learned from the timestamps when absent. */
  frameIntervalUs?: number;
}

export const TRACKER_DEFAULTS: TrackerOptions = {
  highThreshold: 0.5,
  lowThreshold: 0.1,
  matchIou: 0.3,
  lostFrames: 30,
  minHits: 3,
  perClass: true,
};

/**
 * The IoU a low-score detection needs in ByteTrack's second association: fixed
 * at 0.5, as in the paper, because low-score boxes are the least reliable.
 */
export const LOW_SCORE_MATCH_IOU = 0.5;
