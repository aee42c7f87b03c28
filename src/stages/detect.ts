import { optional, t } from '../core/schema.ts';
import { defineStage } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';
import { decoders } from '../models/decoders/index.ts';
import { Detector } from '../models/detector.ts';
import { pipelinedDetect } from './pipelined-detect.ts';
import { detectInterval, withInterval } from './detect-interval.ts';
import { PROVIDERS } from '../models/session.ts';
import {
  describeSessions,
  inferenceSessions,
  inferenceThreadOptions,
} from './inference-options.ts';

/**
 * Object detection with an ONNX model: sets `frame.meta.detections`, boxes in
 * source-frame pixels. Without `model`, the embedded COCO-80 CenterNet is used
 * (converted once on first use). Each session runs one frame at a time (two
 * sessions side by side by default on a thread budget of 2 or more), and
 * frames leave in order.
 */
export const detectStage = defineStage({
  type: 'detect',
  doc: 'Detect objects with an ONNX model (default: the embedded COCO-80 detector)',
  options: {
    model: optional(
      t.string({
        doc: 'Model descriptor (.yaml) or ONNX file (.onnx); omit for the embedded COCO detector',
        format: 'a file path',
        minLength: 1,
      }),
    ),
    confidence: t.number({
      doc: 'Minimum score to keep a detection (0.4 balances misses and false alarms for COCO models)',
      min: 0,
      max: 1,
      default: 0.4,
    }),
    iou: t.number({
      doc: 'NMS overlap above which the lower-scoring box of a class is dropped',
      min: 0,
      max: 1,
      default: 0.45,
    }),
    classes: optional(
      t.list(t.string({ doc: 'A label of the model', minLength: 1 }), {
        doc: 'Keep only these labels (e.g. [person, car]); default: all',
        minItems: 1,
      }),
    ),
    maxDetections: t.integer({
      doc: 'At most this many detections per frame',
      min: 1,
      max: 10000,
      default: 100,
    }),
    providers: t.list(t.enum(PROVIDERS, { doc: 'An onnxruntime execution provider' }), {
      doc: 'Execution providers to try in order; unavailable ones fall back with one warning',
      minItems: 1,
      default: ['cpu'],
    }),
    ...inferenceThreadOptions,
    interval: detectInterval,
    // Optional rather than defaulted: most models make no masks, and the
    // Detector's own default (0.5) then stays the one place the value lives.
    maskThreshold: optional(
      t.number({
        doc: 'Instance-segmentation models (YOLO-seg, Mask R-CNN): the mask probability a pixel needs to belong to its object; default 0.5',
        exclusiveMin: 0,
        max: 0.999,
      }),
    ),
    // An enum, so a misspelt decoder is refused at validation, not after the model loads.
    decoder: optional(
      t.enum(decoders.names(), {
        doc: 'Output decoder, overriding the descriptor and auto-detection',
      }),
    ),
  },
  async create(config, ctx) {
    const sessions = inferenceSessions(config, ctx);
    describeSessions(ctx.name, sessions, ctx.log);
    const detector = await Detector.open({
      ...(config.model !== undefined ? { model: config.model } : {}),
      baseDir: ctx.baseDir,
      providers: config.providers,
      // The pipeline's thread budget unless the stage says (README "Threads and cores").
      ...sessions,
      ...(config.spinning !== undefined ? { spinning: config.spinning } : {}),
      ...(config.decoder !== undefined ? { decoder: config.decoder } : {}),
      confidence: config.confidence,
      iou: config.iou,
      maxDetections: config.maxDetections,
      ...(config.classes ? { classes: config.classes } : {}),
      ...(config.maskThreshold !== undefined ? { maskThreshold: config.maskThreshold } : {}),
      log: ctx.log,
      ...(ctx.cpu ? { cpu: ctx.cpu } : {}),
    });
    let closed: Promise<void> | undefined;
    return withInterval(
      config.interval,
      ctx,
      {
        operator: pipelinedDetect(
          detector,
          (err) =>
            err instanceof FramewireError
              ? err
              : new FramewireError('STAGE_FAILED', `inference failed: ${(err as Error).message}`, {
                  component: ctx.name,
                  cause: err,
                }),
          ctx.cpu,
        ),
        close: () => {
          closed ??= detector.close();
          return closed;
        },
      },
      sessions.instances,
    );
  },
});
