import type { CountsSnapshot } from './counts.ts';
import type { Detections } from './detections.ts';
import type { EncodedVideo } from './encoded.ts';
import type { HealthEvent } from './health.ts';
import type { SemanticMap } from './segmentation.ts';
import type { TrackInfo } from './tracks.ts';

/** Pixel layouts a frame's `data` can hold. Decided once per stream, never per frame. */
export type PixelFormat = 'yuv420p' | 'rgb24' | 'rgba';

/** Bytes needed for one frame of the given format and size. */
export function frameByteLength(format: PixelFormat, width: number, height: number): number {
  switch (format) {
    case 'yuv420p':
      return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
    case 'rgb24':
      return width * height * 3;
    case 'rgba':
      return width * height * 4;
  }
}

/**
 * Maps coordinates of a resized (possibly letterboxed) image back to the original
 * source frame: `source = (resized - offset) / scale`. Stages that change the frame
 * geometry compose onto it so detections can always be returned in source pixels.
 */
export interface GeometryTransform {
  readonly scaleX: number;
  readonly scaleY: number;
  readonly offsetX: number;
  readonly offsetY: number;
  /** The source frame's size, which boxes are clipped to. */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

/** Per-stage timings in milliseconds, filled in by the runner's meters. */
export type StageTimings = Record<string, number>;

/**
 * What stages learn about a frame, every key declared once with its type. A
 * stage that needs a new kind of result adds a key here (its type in core, or
 * a data shape in core that a domain library fills), never a free-form entry.
 */
export interface FrameMeta {
  /** Set by sources that deliver encoded access units (no pixels yet); the decode stage consumes it. */
  packet?: Packet;
  /** Set by the `encode` stage: the frame's access unit, pixels left as they were (`encoded.ts`). */
  encoded?: EncodedVideo;
  /**
   * Set by `detect` (boxes in source-frame pixels, instance masks when the model
   * makes them); filtered by `nms`, given track ids by `track`.
   */
  detections?: Detections;
  /**
   * Set to false by `detect` on a frame its model skipped (`interval`): the
   * frame's detections are carried from the last inferred frame, marked
   * predicted, and a `track` stage predicts its tracks instead of matching.
   * Absent on frames the model ran on.
   */
  inferred?: false;
  /** Set by `track`: confirmed tracks, lost ones included with their predicted boxes. */
  tracks?: readonly TrackInfo[];
  /** Set by `count`: line and zone totals as of this frame, and the geometry counted against. */
  counts?: CountsSnapshot;
  /** Set by `segment`: the class of every source-frame pixel (`segmentation.ts`). */
  segmentation?: SemanticMap;
  /**
   * A live source's health event (RTSP, camera), on the first frame after it
   * happened (the event itself is published at once, beside the frames:
   * `ComponentContext.health`, `MetricsView.onHealth`).
   */
  health?: HealthEvent;
  /**
   * Set on the first frame after a gap in the stream (a live source
   * reconnected): pts jumped forward, the size may differ from the frames
   * before, and a decoder, tracker or encoder starts afresh rather than
   * joining the two sides.
   */
  discontinuity?: true;
  /**
   * When the frame arrived at the source (monotonic ms, the run's clock): a
   * live source stamps it on arrival, before its queue; the runner stamps
   * frames that come without it. Latency is measured from here to each sink.
   */
  capturedAt?: number;
  /** Set by `resize`: maps this frame's pixels back to the source frame's pixels. */
  transform?: GeometryTransform;
  timings: StageTimings;
}

export interface Frame {
  /** 0-based position in the source's output, gapless for file sources. */
  readonly seq: number;
  /**
   * Presentation timestamp in microseconds from the stream's start, from the
   * stream itself. A frame carrying a packet has the packet's; the decode stage
   * sets its picture's (packets come in decode order, pictures do not).
   */
  pts: number;
  /** Wall-clock capture (or decode) time, ms since the epoch. */
  readonly time: number;
  width: number;
  height: number;
  format: PixelFormat;
  data: Uint8Array;
  readonly sourceId: string;
  meta: FrameMeta;
}

/** An encoded access unit (H.264/HEVC), as produced by an encoder or an RTSP reader. */
export interface Packet {
  readonly data: Uint8Array;
  readonly key: boolean;
  /** Microseconds. */
  readonly pts: number;
  readonly dts: number;
  /** WebCodecs codec string, e.g. `avc1.42001f`. */
  readonly codec: string;
  /**
   * Access units to decode just before this one whose pictures are not shown:
   * the key frame and pictures before a cut's start, or a reference past its end
   * that pictures inside it need. Set by sources that cut a stream exactly.
   */
  readonly decodeFirst?: readonly Packet[];
}
