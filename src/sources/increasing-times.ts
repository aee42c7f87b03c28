import type { Frame } from '../core/frame.ts';

/**
 * Keeps one connection's timestamps increasing. A live stream can begin with
 * timestamps that go back: the GStreamer RTSP server, for one, stamps its first
 * key frame a few frames ahead of the pictures that follow, and ffmpeg's muxer
 * then clamps those to the key frame's time (equal timestamps). From the first
 * step back on, the stream's timestamps are shifted forward just enough to
 * continue one frame interval after the last, so the deltas stay the stream's
 * own. The key is dts for packets (decode order), pts for decoded frames.
 */
export class IncreasingTimes {
  #last: number | undefined;
  #shift = 0;

  constructor(private readonly frameUs: number) {}

  /** Microseconds added to the stream's timestamps so far (0 for a well-behaved stream). */
  get shift(): number {
    return this.#shift;
  }

  fix(frame: Frame): Frame {
    const packet = frame.meta.packet;
    const key = (packet ? packet.dts : frame.pts) + this.#shift;
    if (this.#last !== undefined && key <= this.#last)
      this.#shift += this.#last + this.frameUs - key;
    this.#last = (packet ? packet.dts : frame.pts) + this.#shift;
    if (this.#shift === 0) return frame;
    const shift = this.#shift;
    return {
      ...frame,
      pts: frame.pts + shift,
      meta: {
        ...frame.meta,
        ...(packet
          ? { packet: { ...packet, pts: packet.pts + shift, dts: packet.dts + shift } }
          : {}),
      },
    };
  }
}
