import type { CountTotals } from '../core/counts.ts';
import type { Detection } from '../core/detection.ts';
import type { Frame } from '../core/frame.ts';
import { type SegmentationRecord, segmentationRecord } from '../core/segmentation-record.ts';

/** The per-frame object of the JSON-lines and WebSocket contracts (schema v1). */
export interface FrameRecord {
  seq: number;
  pts: number;
  time: string;
  width: number;
  height: number;
  detections: Detection[];
  /** Line and zone totals, only after a count stage ran. */
  counts?: CountTotals;
  /** Class shares of the frame's semantic map, only after a segment stage ran. */
  segmentation?: SegmentationRecord;
  /** Only on the first frame after a gap in the stream (a live source reconnected). */
  discontinuity?: true;
  [extra: string]: unknown;
}

export interface FrameRecordOptions {
  /** Each segmentation class also carries its pixels as COCO RLE (`mask`). */
  segmentationRle?: boolean;
}

/**
 * Width and height are the source frame's, the space boxes are expressed in,
 * even when a resize stage changed the pixels the pipeline carries.
 */
export function frameRecord(frame: Frame, options: FrameRecordOptions = {}): FrameRecord {
  const t = frame.meta.transform;
  const source = {
    width: t ? t.sourceWidth : frame.width,
    height: t ? t.sourceHeight : frame.height,
  };
  const record: FrameRecord = {
    seq: frame.seq,
    pts: frame.pts,
    time: new Date(frame.time).toISOString(),
    ...source,
    detections: frame.meta.detections?.toList(source) ?? [],
  };
  // Line and zone totals of the count stage, only after one ran.
  // The geometry counted against is configuration, not a result: it stays out of the record.
  const counts = frame.meta.counts;
  if (counts !== undefined) record.counts = { lines: counts.lines, zones: counts.zones };
  const map = frame.meta.segmentation;
  if (map !== undefined) {
    record.segmentation = segmentationRecord(map, { rle: options.segmentationRle === true });
  }
  // Absent rather than false on every other frame: older readers see nothing new.
  if (frame.meta.discontinuity) record.discontinuity = true;
  return record;
}
