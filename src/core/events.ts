import type { RecoverableErrorCode } from './errors.ts';

/**
 * Every recoverable event a component can count, each documented once. The
 * recoverable error codes come first: a `FramewireError` raised with
 * `fatal: false` is counted under its code. The rest are declared events that
 * are not errors of anyone's making. These names are a contract: the summary
 * table, `--json-stats`, the WebSocket `stats`/`health` messages and `/metrics`
 * all use them as they are.
 */
export const EVENT_DOCS = {
  SOURCE_READ: 'the source failed to read one frame and went on',
  STAGE_FAILED: 'a stage failed on one frame and went on',
  SINK_WRITE: 'a sink failed to write one frame; that frame is lost for that sink',
  FRAME_CORRUPT: 'a picture could not be decoded; its frame is lost',
  CONNECTION_LOST: 'a live source or a network sink lost its connection',
  RECONNECT: 'a live source or a network sink connected again',
  NOT_CONNECTED:
    'a network sink discarded a frame while it had no connection (waiting to reconnect)',
  EXTRA_PICTURE: 'the decoder produced a picture no packet asked for (dropped)',
  SIZE_CHANGE:
    'the stream changed picture size (a live source came back at another resolution); the encoder scales it to the size it started at, or restarts at the new one (sizeChange: restart)',
  NEXT_FILE:
    'the file sink finished its MP4 and went on in a numbered next one (the stream restarted with another size)',
  ENCODE_SKIPPED:
    'the encoder produced no access unit for a picture (the frame passes on without one)',
  FRAME_UNENCODED: 'a sink got a frame without an access unit and wrote nothing for it',
  BEFORE_KEY_FRAME: 'a sink discarded an access unit that came before the first key frame',
  FRAME_LATE:
    'a frame was older than its maxLatencyMs budget when it reached the source queue or a stage, and was dropped before the work',
  EFFECT_SKIPPED:
    'the effects stage passed a frame on untouched: it carried no segmentation map and no instance masks to select pixels by',
  DOUBLE_RELEASE: 'a sink released a retained frame more than once (a sink bug; ignored)',
} as const satisfies Record<RecoverableErrorCode, string> & Record<string, string>;

/** A recoverable event's code: the names in `EVENT_DOCS`. */
export type EventCode = keyof typeof EVENT_DOCS;

/** Counts by code; a code that never happened is absent. */
export type EventCounts = Partial<Record<EventCode, number>>;

export const EVENT_CODES = Object.keys(EVENT_DOCS) as readonly EventCode[];
