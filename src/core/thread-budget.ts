import { availableParallelism } from 'node:os';

/** What in a pipeline runs threads of its own. */
export interface ThreadConsumers {
  /** Inference stages (detect, segment): onnxruntime sessions. */
  readonly inference: number;
  /** The pipeline encodes video (an encode stage, explicit or implied by a video sink). */
  readonly encode: boolean;
}

/** Threads per component; every value is at least 1. */
export interface ThreadBudget {
  readonly cores: number;
  /** Intra-op threads of each inference stage. */
  readonly inference: number;
  /** ffmpeg's `-threads` for decoding. */
  readonly decode: number;
  /** x264's `threads` (ffmpeg's `-threads` for the encoder). */
  readonly encode: number;
}

/**
 * Shares the cores between the components that start threads of their own,
 * instead of each taking all of them:
 * - with inference in the pipeline, it is the bottleneck (a 512×512 inference
 *   costs ten 720p decodes or five encodes), so each codec (the decoder, and
 *   the encoder if there is one) gets a quarter of the cores, at least one, and inference the
 *   rest, split evenly between inference stages, at least one each. On 2 cores
 *   that is 2 inference threads and 1 for each codec: inference threads sleep
 *   rather than spin when idle (`spinning: false`), so the codecs run in the
 *   gaps instead of stalling inference's parallel sections;
 * - without inference, the decoder and the encoder share the cores evenly.
 * A stage's own `threads` overrides its share. An inference stage runs a share
 * of 2 threads or more as two sessions side by side (`inferenceSessions` in
 * stages/inference-options.ts).
 */
export function threadBudget(
  uses: ThreadConsumers,
  cores: number = availableParallelism(),
): ThreadBudget {
  const n = Math.max(1, Math.floor(cores));
  // Every pipeline decodes its source (ffmpeg or the in-process decoder, which takes the cores it likes).
  const codecs = 1 + (uses.encode ? 1 : 0);
  if (uses.inference > 0) {
    const codec = Math.max(1, Math.floor(n / 4));
    const left = n - Math.floor(n / 4) * codecs;
    const inference = Math.max(1, Math.floor(left / uses.inference));
    return { cores: n, inference, decode: codec, encode: codec };
  }
  const codec = Math.max(1, Math.floor(n / Math.max(1, codecs)));
  return { cores: n, inference: n, decode: codec, encode: codec };
}
