import { optional, t } from '../core/schema.ts';

/**
 * How an inference stage uses the cores: shared by `detect` and `segment`.
 * Without `threads`, the pipeline's thread budget decides (README "Threads and
 * cores").
 */
export const inferenceThreadOptions = {
  threads: optional(
    t.integer({
      doc: 'Inference threads (intra-op); default: the pipeline’s thread budget (README “Threads and cores”; 2 on 2 cores)',
      min: 1,
      max: 256,
    }),
  ),
  spinning: optional(
    t.boolean({
      doc: 'Let idle inference threads spin-wait for work (onnxruntime’s own default); default off: they sleep and leave the cores to decoding and encoding',
    }),
  ),
};
