import { optional, t } from '../core/schema.ts';

/**
 * How an inference stage uses the cores: shared by `detect` and `segment`.
 * Without `threads`, the pipeline's thread budget decides (README "Threads and
 * cores").
 */
export const inferenceThreadOptions = {
  threads: optional(
    t.integer({
      doc: 'Inference threads (intra-op); default: from the thread budget (all cores when the pipeline has no ffmpeg/x264 to share them with)',
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
