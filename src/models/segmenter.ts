import { FramewireError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import type { SemanticMap } from '../core/segmentation.ts';
import type { OutputTensor } from './decoders/types.ts';
import { locateModel } from './detector.ts';
import { prepareSelfieModel, SELFIE_SPEC } from './embedded-selfie.ts';
import { VOC21_LABELS } from './labels/voc21.ts';
import { modelToSource } from './letterbox.ts';
import { type ModelSpec, resolveModelSpec } from './model-spec.ts';
import { InputSlots } from './input-slots.ts';
import type { Preprocessor } from './preprocess.ts';
import { decodeSemantic } from './segmentation/semantic.ts';
import { mapToSource, probabilitiesToSource } from './segmentation/to-source.ts';
import type { InferenceBackend, InputFeed } from './session.ts';
import { type InferenceSessionOptions, openInferenceSessions } from './session-pool.ts';

export interface SegmenterOptions extends InferenceSessionOptions {
  /** Descriptor (.yaml/.yml) or .onnx path of a semantic-segmentation model; undefined = the embedded selfie segmenter. */
  model: string | undefined;
  baseDir?: string;
  /** Also keep each pixel's class probability (`SemanticMap.probabilities`); default off. */
  probabilities?: boolean;
  /** Binary (one-channel) models: foreground where the probability exceeds this. */
  threshold: number;
  /** A ready backend (tests); `model` then only names it in messages. */
  backend?: InferenceBackend;
}

/** A frame prepared for segmentation: its input and the geometry to undo. */
export interface SegmentJob {
  readonly frame: Frame;
  readonly pre: Preprocessor;
  readonly feeds: Readonly<Record<string, InputFeed>>;
}

/**
 * One semantic-segmentation model, ready to label frames: the input is
 * prepared as for detection (letterbox, normalization from the descriptor or
 * the model), the output decoded to a class per cell (`decodeSemantic`) and
 * sampled back onto the source frame's pixels (`mapToSource`).
 */
export class Segmenter {
  /** Jobs that may be between `prepare` and their `infer` settling: two per session. */
  readonly depth: number;
  readonly #slots: InputSlots;
  #labels: readonly string[] | undefined;

  private constructor(
    readonly backend: InferenceBackend,
    readonly spec: ModelSpec,
    private readonly options: SegmenterOptions,
  ) {
    this.depth = 2 * (options.instances ?? 1);
    this.#slots = new InputSlots(spec.preprocess, 'segmenter', this.depth);
  }

  static async open(options: SegmenterOptions): Promise<Segmenter> {
    const { path, overrides } =
      options.model === undefined
        ? {
            path: await prepareSelfieModel(options.log ? { log: options.log } : {}),
            overrides: SELFIE_SPEC,
          }
        : await locateModel({ ...options, confidence: 0, iou: 0, maxDetections: 0 });
    const backend = options.backend ?? (await openInferenceSessions(path, options));
    try {
      const spec = await resolveModelSpec(backend, overrides);
      return new Segmenter(backend, spec, options);
    } catch (err) {
      await backend.close();
      throw err;
    }
  }

  /** The class of every pixel of `frame` (in its source frame's pixels, through `meta.transform`). */
  async segment(frame: Frame): Promise<SemanticMap> {
    const job = this.prepare(frame);
    const outputs = await this.infer(job);
    // Decoding runs after the await, outside the stage's call: charged to it here.
    const cpu = this.options.cpu;
    const finish = () => this.finish(job, outputs);
    return cpu ? cpu.run(finish) : finish();
  }

  /** Preprocesses a frame into one of `depth` input slots (InputSlots), for overlapped runs. */
  prepare(frame: Frame): SegmentJob {
    const { pre, data } = this.#slots.fill(frame);
    const feeds = {
      [this.spec.inputName]: { type: this.spec.preprocess.dtype, data, dims: pre.dims },
    } as Parameters<InferenceBackend['run']>[0];
    return { frame, pre, feeds };
  }

  infer(job: SegmentJob): Promise<OutputTensor[]> {
    return this.#slots.read(job.pre, () => this.backend.run(job.feeds));
  }

  /** Decodes the output and samples it back onto the frame's source pixels. */
  finish(job: SegmentJob, outputs: readonly OutputTensor[]): SemanticMap {
    const { frame, pre } = job;
    if (outputs.length !== 1) {
      throw new FramewireError(
        'MODEL_INVALID',
        `a segmentation model has one output; this one has ${outputs.length} (${outputs.map((o) => o.name).join(', ')})`,
        {
          hint: 'detection models go to `detect`, and so do instance-segmentation models (YOLO-seg, Mask R-CNN): `detect` gives each detection its mask',
        },
      );
    }
    const map = decodeSemantic(outputs[0]!, this.options.threshold);
    const toSource = modelToSource(pre.letterbox, frame.width, frame.height, frame.meta.transform);
    const p = this.spec.preprocess;
    const probabilities = this.options.probabilities
      ? probabilitiesToSource(map, p.width, p.height, toSource)
      : undefined;
    return {
      width: toSource.sourceWidth,
      height: toSource.sourceHeight,
      classes: mapToSource(map, p.width, p.height, toSource),
      ...(probabilities ? { probabilities } : {}),
      labels: this.#labelsFor(map.numClasses),
    };
  }

  /**
   * Declared labels win; otherwise a 21-class output is PASCAL VOC, a binary
   * one is background/foreground, and others are numbered.
   */
  #labelsFor(numClasses: number): readonly string[] {
    if (!this.spec.labelsDefaulted) return this.spec.labels;
    this.#labels ??=
      numClasses === 21 ? VOC21_LABELS : numClasses === 2 ? ['background', 'foreground'] : [];
    return this.#labels;
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
