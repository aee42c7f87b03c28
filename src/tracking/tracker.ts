import { Detections } from '../core/detections.ts';
import { FrameInterval } from './frame-interval.ts';
import { gatedAssignment } from './linear-assignment.ts';
import { iouCost } from './iou-cost.ts';
import { TRACKER_DEFAULTS, type TrackerOptions } from './options.ts';
import type { TrackInfo } from '../core/tracks.ts';
import { Track } from './track.ts';

/** What an association strategy decides for one frame. */
export interface Association {
  /** Pairs of (index into the tracks given, detection index). */
  matches: [number, number][];
  /** Detection indices that start new (tentative) tracks. */
  births: number[];
}

/**
 * The life cycle both trackers share, supervision-style: `update(detections,
 * timestampUs)` returns the same detections, in the same order, with track ids.
 * Per frame: predict every track across the elapsed time (in nominal frames, so
 * dropped frames are one longer step), associate (the part ByteTrack and SORT
 * differ in), correct matched tracks, demote or delete unmatched ones, start
 * tracks, confirm those with `minHits` matches, delete tracks lost too long.
 *
 * Ids are handed out on confirmation only, from 1 upwards, never reused; a
 * detection whose track is tentative (or that started or matched nothing) gets
 * -1, which the output contract leaves out.
 */
export abstract class Tracker {
  protected readonly options: TrackerOptions;
  private live: Track[] = [];
  private nextId = 1;
  private readonly interval: FrameInterval;

  constructor(options: Partial<TrackerOptions> = {}) {
    this.options = { ...TRACKER_DEFAULTS, ...options };
    this.interval = new FrameInterval(this.options.frameIntervalUs);
  }

  /** Decides matches and births for this frame; tracks already predicted. */
  protected abstract associate(tracks: readonly Track[], detections: Detections): Association;

  update(detections: Detections, timestampUs: number): Detections {
    const dt = this.interval.advance(timestampUs);
    for (const track of this.live) track.predict(dt);
    // Gone for more than lostFrames before this frame (possibly across dropped
    // frames, with no update in between): too old to be matched now.
    this.live = this.live.filter((t) => !this.expired(t.framesLost - 1));

    const { matches, births } = this.associate(this.live, detections);
    const trackOf = new Array<Track | undefined>(detections.length);
    const matched = new Set<Track>();
    for (const [t, d] of matches) {
      const track = this.live[t]!;
      track.match(
        detections.boxes.subarray(d * 4, d * 4 + 4),
        detections.scores[d]!,
        detections.masks?.[d],
      );
      trackOf[d] = track;
      matched.add(track);
    }
    // A tentative track missing one frame was most likely a false detection.
    this.live = this.live.filter((t) => matched.has(t) || t.state !== 'tentative');
    for (const track of this.live) if (!matched.has(track)) track.state = 'lost';
    for (const d of births) {
      const track = new Track(
        detections.boxes.subarray(d * 4, d * 4 + 4),
        detections.classIds[d]!,
        detections.scores[d]!,
        detections.masks?.[d],
      );
      this.live.push(track);
      trackOf[d] = track;
    }
    // Creation order decides the order ids are given in, so runs are reproducible.
    for (const track of this.live) {
      if (track.state === 'tentative' && track.hits >= this.options.minHits) {
        track.state = 'tracked';
        track.id = this.nextId++;
      }
    }
    this.live = this.live.filter((t) => !this.expired(t.framesLost));

    const ids = new Int32Array(detections.length);
    for (let d = 0; d < ids.length; d++) ids[d] = trackOf[d]?.id ?? -1;
    return detections.withTrackIds(ids);
  }

  /**
   * A frame the model skipped (`detect`'s `interval`): every track moves ahead
   * by its motion model to this timestamp and nothing is matched, so no track is
   * demoted, deleted or confirmed here (an absent detection is not a miss; a
   * lost track's time still runs, as it does across dropped frames). Returns
   * the predicted boxes of the tracks matched at the last inferred frame
   * (tracked and tentative, as that frame's detections were), in track order,
   * with their ids (-1 tentative), last scores and masks, marked predicted.
   * `names` is the label table to keep (the carried detections').
   */
  predict(timestampUs: number, names: readonly string[]): Detections {
    const dt = this.interval.advance(timestampUs);
    for (const track of this.live) track.predict(dt);
    const shown = this.live.filter((t) => t.state !== 'lost');
    const boxes = new Float32Array(shown.length * 4);
    const scores = new Float32Array(shown.length);
    const classIds = new Int32Array(shown.length);
    const trackIds = new Int32Array(shown.length);
    shown.forEach((t, i) => {
      boxes.set(t.filter.box(), i * 4);
      scores[i] = t.score;
      classIds[i] = t.classId;
      trackIds[i] = t.id;
    });
    const withMasks = shown.some((t) => t.mask !== undefined);
    return new Detections({
      boxes,
      scores,
      classIds,
      names,
      trackIds,
      ...(withMasks ? { masks: shown.map((t) => t.mask) } : {}),
      predicted: true,
    });
  }

  /**
   * Whether a track unmatched for `framesMissed` nominal frames is past
   * `lostFrames`; half a frame of slack so jittery timestamps never shorten a life.
   */
  private expired(framesMissed: number): boolean {
    return framesMissed > this.options.lostFrames + 0.5;
  }

  /**
   * Ends every track, tentative, tracked and lost: after a gap in the stream (a
   * live source reconnected seconds later, maybe at another size) a prediction
   * across it means nothing, so nothing is matched across it. Objects seen
   * after get new ids; ids go on from where they were, never reused. The frame
   * interval learned so far is kept; the time of the gap is not counted.
   */
  endAll(): void {
    this.live = [];
    this.interval.restart();
  }

  /** Confirmed tracks, tracked and lost, in id order: what `frame.meta.tracks` holds. */
  tracks(): TrackInfo[] {
    return this.live
      .filter((t) => t.state !== 'tentative')
      .map((t) => t.info())
      .sort((a, b) => a.id - b.id);
  }

  /**
   * Gated optimal matching of some tracks to some detections by IoU: pairs below
   * `minIou` (or of different classes, with `perClass`) are never matched.
   */
  protected matchByIou(
    tracks: readonly Track[],
    trackIndices: readonly number[],
    detections: Detections,
    detIndices: readonly number[],
    minIou: number,
  ): { matches: [number, number][]; tracksLeft: number[]; detsLeft: number[] } {
    const boxes = new Float64Array(trackIndices.length * 4);
    trackIndices.forEach((t, r) => {
      boxes.set(tracks[t]!.filter.box(), r * 4);
    });
    const classes = this.options.perClass
      ? { tracks: trackIndices.map((t) => tracks[t]!.classId), detections: detections.classIds }
      : undefined;
    const cost = iouCost(boxes, detections.boxes, detIndices, classes);
    const { rowToCol } = gatedAssignment(cost, trackIndices.length, detIndices.length, 1 - minIou);
    const matches: [number, number][] = [];
    const tracksLeft: number[] = [];
    const usedCols = new Set<number>();
    trackIndices.forEach((t, r) => {
      const c = rowToCol[r]!;
      if (c < 0) tracksLeft.push(t);
      else {
        matches.push([t, detIndices[c]!]);
        usedCols.add(c);
      }
    });
    const detsLeft = detIndices.filter((_, c) => !usedCols.has(c));
    return { matches, tracksLeft, detsLeft };
  }
}

/** Indices `i` of `detections` for which `keep(score)` holds, in order. */
export function indicesWhere(detections: Detections, keep: (score: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < detections.length; i++) if (keep(detections.scores[i]!)) out.push(i);
  return out;
}
