/**
 * The nominal frame interval of a stream, in microseconds, so elapsed time can
 * be counted in frames: a live source that dropped three frames delivers a
 * timestamp gap of four intervals, and the tracker predicts four frames ahead.
 *
 * Known up front when the source reports its frame rate; otherwise learned as
 * the smallest positive timestamp difference among the first intervals seen
 * (dropped frames only ever lengthen an interval, so the minimum is the
 * nominal one). Until an interval is known, every update counts as one frame.
 */
export class FrameInterval {
  private intervalUs: number | undefined;
  private readonly fixed: boolean;
  private learned = 0;
  private lastUs: number | undefined;

  /** How many intervals are looked at before the estimate is frozen. */
  static readonly LEARN_INTERVALS = 8;

  constructor(intervalUs?: number) {
    this.fixed = intervalUs !== undefined && intervalUs > 0;
    this.intervalUs = this.fixed ? intervalUs : undefined;
  }

  static fromFps(fps: number | undefined): FrameInterval {
    return new FrameInterval(fps && fps > 0 ? 1e6 / fps : undefined);
  }

  /**
   * Records a frame's timestamp and returns the frames elapsed since the
   * previous one (0 for the first). A timestamp that does not advance (a reset
   * or a reordered frame) counts as one frame, never as negative time.
   */
  advance(timestampUs: number): number {
    const last = this.lastUs;
    this.lastUs = timestampUs;
    if (last === undefined) return 0;
    const delta = timestampUs - last;
    if (delta <= 0) return 1;
    if (!this.fixed && this.learned < FrameInterval.LEARN_INTERVALS) {
      this.learned++;
      this.intervalUs = this.intervalUs === undefined ? delta : Math.min(this.intervalUs, delta);
    }
    return delta / this.intervalUs!;
  }

  /** Forgets the last timestamp (a gap in the stream): the next one counts as the first. */
  restart(): void {
    this.lastUs = undefined;
  }

  /** The interval in µs, once known. */
  get us(): number | undefined {
    return this.intervalUs;
  }
}
