export { ByteTracker } from './byte-tracker.ts';
export { FrameInterval } from './frame-interval.ts';
export { iouCost } from './iou-cost.ts';
export { KalmanBox } from './kalman-box.ts';
export { type Assignment, gatedAssignment, linearAssignment } from './linear-assignment.ts';
export { LOW_SCORE_MATCH_IOU, TRACKER_DEFAULTS, type TrackerOptions } from './options.ts';
export { SortTracker } from './sort-tracker.ts';
export type { TrackInfo, TrackState } from './track.ts';
export { type Association, Tracker } from './tracker.ts';
