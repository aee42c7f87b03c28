import type { InstanceMask } from '../core/masks.ts';
import type { TrackInfo } from '../core/tracks.ts';
import { KalmanBox } from './kalman-box.ts';

/**
 * Where a track is in its life:
 * - `tentative`: seen in fewer than `minHits` consecutive frames; no public id yet,
 *   and deleted as soon as one frame misses it (most false detections end here);
 * - `tracked`: confirmed and matched in the latest frame;
 * - `lost`: confirmed but unmatched; kept, with its predicted box, for up to
 *   `lostFrames` nominal frames so it can be picked up again under the same id.
 */
export type TrackState = 'tentative' | 'tracked' | 'lost';

/** One tracked object; owned and mutated by a tracker only. */
export class Track {
  readonly filter: KalmanBox;
  state: TrackState = 'tentative';
  /** Public id once confirmed, -1 before. */
  id = -1;
  classId: number;
  score: number;
  /**
   * Frames in which a detection was matched. A tentative track is deleted at its
   * first miss, so while tentative these are consecutive frames.
   */
  hits = 1;
  /** Nominal frames since the last match (fractional when timestamps jitter). */
  framesLost = 0;
  /** The instance mask of the detection last matched, carried to frames the model skipped. */
  mask: InstanceMask | undefined;

  constructor(box: ArrayLike<number>, classId: number, score: number, mask?: InstanceMask) {
    this.filter = new KalmanBox(box);
    this.classId = classId;
    this.score = score;
    this.mask = mask;
  }

  /** Moves the track `dt` frames ahead; a lost track's height stops changing. */
  predict(dt: number): void {
    if (this.state === 'lost') this.filter.freezeHeight();
    this.filter.predict(dt);
    this.framesLost += dt;
  }

  /** Corrects the track with a matched detection. */
  match(box: ArrayLike<number>, score: number, mask?: InstanceMask): void {
    this.filter.update(box);
    this.score = score;
    this.mask = mask;
    this.hits++;
    this.framesLost = 0;
    if (this.state === 'lost') this.state = 'tracked';
  }

  info(): TrackInfo {
    return {
      id: this.id,
      state: this.state === 'lost' ? 'lost' : 'tracked',
      box: this.filter.box(),
      classId: this.classId,
      score: this.score,
      framesLost: Math.round(this.framesLost * 100) / 100,
      hits: this.hits,
    };
  }
}
