import type { SinkDefinition } from '../core/component.ts';
import { type Fields, t } from '../core/schema.ts';

/** What a sink does when it falls behind; see `sinkOptions`. */
export const SINK_POLICIES = ['block', 'drop-oldest', 'drop-newest'] as const;
export type SinkPolicy = (typeof SINK_POLICIES)[number];

/**
 * Options every sink accepts, declared once here instead of in each sink: each
 * sink has its own bounded queue, so one slow consumer never slows the others.
 * Lossless sinks (files) default to `block`, live ones to `drop-oldest`.
 */
export function commonSinkFields(lossless: boolean) {
  return {
    queue: t.integer({
      min: 1,
      default: 8,
      doc: 'frames this sink may hold before its policy applies',
    }),
    policy: t.enum(SINK_POLICIES, {
      default: lossless ? 'block' : 'drop-oldest',
      doc: 'what happens when the sink falls behind: block holds the pipeline back (lossless), drop-* discard frames and count them',
    }),
  } satisfies Fields;
}

/** A sink's own options followed by the common ones; a sink that declares `queue` or `policy` itself keeps its own. */
export function sinkFields(def: SinkDefinition): Fields {
  const merged: Fields = { ...def.options };
  for (const [key, field] of Object.entries(commonSinkFields(def.lossless))) {
    if (!Object.hasOwn(merged, key)) merged[key] = field;
  }
  return merged;
}
