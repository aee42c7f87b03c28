import { map } from 'rxjs';
import { t } from '../core/schema.ts';
import { defineStage } from '../core/component.ts';
import type { Frame } from '../core/frame.ts';
import { ByteTracker } from '../tracking/byte-tracker.ts';
import { SortTracker } from '../tracking/sort-tracker.ts';
import type { Tracker } from '../tracking/tracker.ts';

/**
 * Multi-object tracking: gives each detection a stable track id
 * (`frame.meta.detections` gets `trackIds`; -1 for detections of tentative tracks,
 * left out of the JSON output) and lists the confirmed tracks, lost ones
 * included with their predicted boxes, in `frame.meta.tracks` (`TrackInfo[]`).
 * Time between frames comes from their timestamps, so a live source's dropped
 * frames are predicted across. A frame without detections (no detector ran on
 * it) passes through untouched and does not age the tracks. On a frame the
 * detector skipped (`meta.inferred: false`, detect's `interval`) the tracks are
 * predicted, not matched, and their predicted boxes replace the carried
 * detections (marked predicted). A discontinuity (a
 * live source reconnected) or a change of the source frame's size ends every
 * track: nothing is matched across the gap, objects after it get new ids.
 */
export const trackStage = defineStage({
  type: 'track',
  doc: 'Track detections across frames (ByteTrack or SORT): stable ids, confirmed tracks in frame.meta.tracks',
  options: {
    tracker: t.enum(['bytetrack', 'sort'], {
      doc: 'bytetrack also uses low-score detections to keep tracks alive; sort uses high-score ones only',
      default: 'bytetrack',
    }),
    highThreshold: t.number({
      doc: 'Detections scoring at least this are matched first and may start tracks',
      min: 0,
      max: 1,
      default: 0.5,
    }),
    lowThreshold: t.number({
      doc: 'bytetrack: detections between this and highThreshold only keep existing tracks alive',
      min: 0,
      max: 1,
      default: 0.1,
    }),
    matchIou: t.number({
      doc: 'Least IoU between a predicted track box and a detection to match them (low-score ones need 0.5)',
      min: 0,
      max: 1,
      default: 0.3,
    }),
    lostFrames: t.integer({
      doc: 'Frames (by timestamp) a lost track is kept to be found again under its id',
      min: 0,
      default: 30,
    }),
    minHits: t.integer({
      doc: 'Consecutive frames a new track must be matched before it is confirmed and gets an id',
      min: 1,
      default: 3,
    }),
    perClass: t.boolean({
      doc: 'Match a track only with detections of its own class',
      default: true,
    }),
  },
  create(config, ctx) {
    const fps = ctx.stream?.fps;
    const options = { ...config, ...(fps && fps > 0 ? { frameIntervalUs: 1e6 / fps } : {}) };
    const tracker: Tracker =
      config.tracker === 'sort' ? new SortTracker(options) : new ByteTracker(options);
    // A gap in the stream (or a new picture size: boxes in other pixels) ends every
    // track, at the next frame with detections if the flagged one has none.
    let gap = false;
    let size: string | undefined;
    return map((frame: Frame) => {
      const source = frame.meta.transform;
      const frameSize = source
        ? `${source.sourceWidth}x${source.sourceHeight}`
        : `${frame.width}x${frame.height}`;
      if (frame.meta.discontinuity || (size !== undefined && frameSize !== size)) gap = true;
      size = frameSize;
      const detections = frame.meta.detections;
      if (!detections) return frame;
      if (gap) tracker.endAll();
      gap = false;
      frame.meta.detections =
        frame.meta.inferred === false
          ? tracker.predict(frame.pts, detections.names)
          : tracker.update(detections, frame.pts);
      frame.meta.tracks = tracker.tracks();
      return frame;
    });
  },
});
