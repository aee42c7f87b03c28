import { availableParallelism } from 'node:os';
import type { ComponentContext } from '../core/component.ts';
import { optional, t } from '../core/schema.ts';

/**
 * How an inference stage uses the cores: shared by `detect` and `segment`.
 * Without `threads`, the pipeline's thread budget decides (README "Threads and
 * cores").
 */
export const inferenceThreadOptions = {
  threads: optional(
    t.integer({
      doc: 'Inference threads (intra-op) of each instance; default: the pipeline’s thread budget divided between the instances (README “Threads and cores”; 2 on 2 cores)',
      min: 1,
      max: 256,
    }),
  ),
  instances: t.integer({
    doc: 'Sessions of the model running frames side by side, each on a worker thread of its own (more frames a second, each frame no sooner); frames still leave in order',
    min: 1,
    max: 16,
    default: 1,
  }),
  spinning: optional(
    t.boolean({
      doc: 'Let idle inference threads spin-wait for work (onnxruntime’s own default); default off: they sleep and leave the cores to decoding and encoding',
    }),
  ),
};

/**
 * Intra-op threads for each of a stage's `instances`: its own `threads`, else
 * the pipeline's budget for the stage shared between them (at least one each).
 */
export function threadsPerInstance(
  config: { readonly threads?: number | undefined; readonly instances: number },
  ctx: Pick<ComponentContext, 'threads'>,
): number {
  if (config.threads !== undefined) return config.threads;
  const budget = ctx.threads?.inference ?? availableParallelism();
  return Math.max(1, Math.floor(budget / config.instances));
}
