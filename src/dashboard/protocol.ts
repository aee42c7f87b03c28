/**
 * The messages of the WebSocket protocol v1 as the dashboard reads them
 * (docs/websocket.md and schemas/websocket/*.json are the reference). Only
 * the fields the dashboard draws are declared; anything else is ignored, so a
 * newer server with more fields still works.
 */

export interface Detection {
  box: [number, number, number, number];
  score: number;
  classId: number;
  label: string;
  trackId?: number;
  /** COCO RLE: `counts` compressed (a string) or plain (numbers), column-major. */
  mask?: { size: [number, number]; counts: string | number[] };
}

export interface LineSpec {
  name: string;
  from: number[];
  to: number[];
}
export interface ZoneSpec {
  name: string;
  polygon: number[][];
}
export interface Geometry {
  lines?: LineSpec[];
  zones?: ZoneSpec[];
}

export interface Counts {
  lines?: Record<string, { in: number; out: number }>;
  zones?: Record<string, { occupancy: number; entered: number; exited: number }>;
}

export interface Hello {
  type: 'hello';
  v: 1;
  pipeline: string;
  width: number;
  height: number;
  fps?: number;
  labels?: string[];
  subscriptions?: string[];
  /** The count stage's lines and zones, when the server knows them. */
  geometry?: Geometry;
  /** What the binary frames carry for `video` subscribers. */
  video?: 'h264' | 'jpeg' | 'none';
}

export interface DetectionsMessage {
  type: 'detections';
  v: 1;
  seq: number;
  /** Presentation timestamp, microseconds: the same clock as the video frames'. */
  pts: number;
  time: string;
  width: number;
  height: number;
  detections: Detection[];
  counts?: Counts;
  /** The first frame after a gap in a live stream, or of a new stream. */
  discontinuity?: boolean;
  /** Where the lines and zones are: the server sends it with every counted frame. */
  geometry?: Geometry;
}

export interface ComponentStats {
  name: string;
  in: number;
  out: number;
  dropped: number;
  fps: number;
  p50Ms: number;
  p95Ms: number;
  /** A live source's health state, when it reported one. */
  health?: string;
}

export interface StatsMessage {
  type: 'stats';
  v: 1;
  components: ComponentStats[];
  /** This client's own drops (its send queue was full). */
  dropped: number;
}

export interface HealthMessage {
  type: 'health';
  v: 1;
  component: string;
  state: string;
  attempt?: number;
  delayMs?: number;
  detail?: string;
}

export interface ErrorMessage {
  type: 'error';
  v: 1;
  message?: string;
  code?: string;
}

export type ServerMessage = Hello | DetectionsMessage | StatsMessage | HealthMessage | ErrorMessage;

/** Parses a text frame; undefined for anything that is not a v1 message with a type. */
export function parseMessage(text: string): ServerMessage | undefined {
  try {
    const m = JSON.parse(text) as { type?: unknown; v?: unknown };
    if (typeof m !== 'object' || m === null || typeof m.type !== 'string' || m.v !== 1) {
      return undefined;
    }
    return m as ServerMessage;
  } catch {
    return undefined;
  }
}

/** One binary video frame: an H.264 access unit (Annex B) or a JPEG picture. */
export interface VideoPacket {
  /** Microseconds, the detections' clock. */
  pts: number;
  seq: number;
  key: boolean;
  /** A new stream begins here (the source restarted or changed): decoders start over. */
  discontinuity: boolean;
  /** The picture's size. */
  width: number;
  height: number;
  /** `avc1.42c01f`, or `jpeg`. */
  codec: string;
  data: Uint8Array;
}
