import { DROP_POLICIES } from './drop-queue.ts';
import type { LiveQueueConfig } from './live-boundary.ts';
import { type Fields, type InferFields, optional, t } from './schema.ts';

/**
 * The options every live source (testsrc with `live: true`, camera, RTSP,
 * HTTP streams) takes, declared once: spread them into the source's own
 * options (`options: { url: ..., ...liveSourceOptions }`). The source itself
 * does nothing with them: the assembler reads them (`liveQueueConfig`) for
 * any source whose `live` is true, and the runner keeps the queue, after the
 * decoder (LiveBoundary). So a live source keeps draining its input at the
 * input's own rate, holds at most `queue` frames while the pipeline is busy
 * and drops by `dropPolicy`, so it never falls behind.
 */
export const liveSourceOptions = {
  queue: t.integer({
    doc: 'Live sources: frames held while the pipeline is busy',
    default: 4,
    min: 1,
    max: 1000,
  }),
  dropPolicy: t.enum(DROP_POLICIES, {
    doc: 'Live sources: which frame to lose when the queue is full (block is for tests)',
    default: 'drop-oldest',
  }),
  maxLatencyMs: optional(
    t.number({
      doc: 'Live sources: a frame older than this (ms since capture) when it leaves the queue is dropped and counted as FRAME_LATE',
      exclusiveMin: 0,
    }),
  ),
} satisfies Fields;

/** The values of `liveSourceOptions` once validated. */
export type LiveSourceConfig = InferFields<typeof liveSourceOptions>;

/**
 * The queue settings of a live source from its validated options; a source
 * that does not declare them gets the shared defaults.
 */
export function liveQueueConfig(options: Record<string, unknown>): LiveQueueConfig {
  const capacity = options.queue;
  const policy = options.dropPolicy;
  const maxLatencyMs = options.maxLatencyMs;
  return {
    capacity: typeof capacity === 'number' ? capacity : liveSourceOptions.queue.default,
    policy: DROP_POLICIES.find((p) => p === policy) ?? liveSourceOptions.dropPolicy.default,
    ...(typeof maxLatencyMs === 'number' ? { maxLatencyMs } : {}),
  };
}
