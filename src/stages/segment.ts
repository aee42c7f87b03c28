import { defineStage } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';
import { optional, t } from '../core/schema.ts';
import { Segmenter } from '../models/segmenter.ts';
import { PROVIDERS } from '../models/session.ts';
import {
  describeSessions,
  inferenceSessions,
  inferenceThreadOptions,
} from './inference-options.ts';
import { pipelinedInference } from './pipelined-inference.ts';

/**
 * Semantic segmentation with an ONNX model (U-Net, DeepLab, a person
 * segmenter): sets `frame.meta.segmentation`, the class of every source-frame
 * pixel. Without `model`, the embedded MediaPipe selfie segmenter labels
 * person and background. One inference at a time, in frame order, overlapped
 * with preprocessing the next frame and sampling the previous one's map.
 */
export const segmentStage = defineStage({
  type: 'segment',
  doc: 'Label every pixel with a semantic-segmentation ONNX model (default: the embedded person segmenter; sets the frame’s segmentation map)',
  options: {
    model: optional(
      t.string({
        doc: 'Model descriptor (.yaml) or ONNX file (.onnx) of a semantic-segmentation model; omit for the embedded person segmenter',
        format: 'a file path',
        minLength: 1,
      }),
    ),
    threshold: t.number({
      doc: 'One-channel (binary) models: foreground where the probability exceeds this',
      exclusiveMin: 0,
      max: 0.999,
      default: 0.5,
    }),
    providers: t.list(t.enum(PROVIDERS, { doc: 'An onnxruntime execution provider' }), {
      doc: 'Execution providers to try in order; unavailable ones fall back with one warning',
      minItems: 1,
      default: ['cpu'],
    }),
    probabilities: t.boolean({
      doc: 'Also keep each pixel’s class probability in the map (one more byte per pixel)',
      default: false,
    }),
    ...inferenceThreadOptions,
  },
  async create(config, ctx) {
    const sessions = inferenceSessions(config, ctx);
    describeSessions(ctx.name, sessions, ctx.log);
    const segmenter = await Segmenter.open({
      model: config.model,
      baseDir: ctx.baseDir,
      providers: config.providers,
      // The pipeline's thread budget unless the stage says (README "Threads and cores").
      ...sessions,
      ...(config.spinning !== undefined ? { spinning: config.spinning } : {}),
      threshold: config.threshold,
      probabilities: config.probabilities,
      log: ctx.log,
      ...(ctx.cpu ? { cpu: ctx.cpu } : {}),
    });
    let closed: Promise<void> | undefined;
    return {
      // Preprocessing frame N+1 and sampling N−1's map overlap frame N's inference.
      operator: pipelinedInference(
        {
          depth: segmenter.depth,
          prepare: (frame) => segmenter.prepare(frame),
          infer: (job) => segmenter.infer(job),
          finish: (job, outputs) => {
            job.frame.meta.segmentation = segmenter.finish(job, outputs);
          },
        },
        (err) =>
          err instanceof FramewireError
            ? err
            : new FramewireError('STAGE_FAILED', `segmentation failed: ${(err as Error).message}`, {
                component: ctx.name,
                cause: err,
              }),
        ctx.cpu,
      ),
      close: () => {
        closed ??= segmenter.close();
        return closed;
      },
    };
  },
});
