import type { Source } from './component.ts';

/**
 * Marks a demand-driven reader (a paced test pattern) as a live source. Being
 * live is all it takes: the runner then reads it at its own rate and keeps the
 * bounded drop queue after the decoder (LiveBoundary), with the queue settings
 * of the source's `liveSourceOptions`. There is no queue in the source itself.
 */
export function asLiveSource(reader: Source): Source {
  return {
    live: true,
    open: () => reader.open(),
    start: (observer) => reader.start(observer),
    request: (n) => reader.request(n),
    stop: () => reader.stop(),
    close: () => reader.close(),
    dropped: () => reader.dropped(),
  };
}
