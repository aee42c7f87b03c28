import type { StageDefinition } from '../core/component.ts';
import { type Fields, optional, t } from '../core/schema.ts';

/**
 * Options every stage accepts, declared once here instead of in each stage;
 * the runner acts on them, not the stage.
 */
export const commonStageFields = {
  maxLatencyMs: optional(
    t.number({
      exclusiveMin: 0,
      doc: 'a frame older than this (ms since capture) when it reaches this stage is dropped before its work and counted as FRAME_LATE (for expensive stages such as detect; not for decode)',
    }),
  ),
} satisfies Fields;

/** A stage's own options followed by the common ones; a stage that declares one itself keeps its own. */
export function stageFields(def: StageDefinition): Fields {
  const merged: Fields = { ...def.options };
  for (const [key, field] of Object.entries(commonStageFields)) {
    if (!Object.hasOwn(merged, key)) merged[key] = field;
  }
  return merged;
}
