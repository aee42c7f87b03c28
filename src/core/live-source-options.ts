import { DROP_POLICIES } from './drop-queue.ts';
import { type Fields, type InferFields, t } from './schema.ts';

/**
 * The options every live source (testsrc with `live: true`, camera, RTSP,
 * HTTP streams) takes, declared once: spread them into the source's own
 * options (`options: { url: ..., ...liveSourceOptions }`) and hand the values
 * to `LiveSource`. A live source keeps draining its input at the input's own
 * rate, holds at most `queue` frames while the pipeline is busy and drops by
 * `dropPolicy`, so it never falls behind.
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
} satisfies Fields;

/** The values of `liveSourceOptions` once validated. */
export type LiveSourceConfig = InferFields<typeof liveSourceOptions>;
