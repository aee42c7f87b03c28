import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { ConfigError, FramewireError } from '../core/errors.ts';
import { Detections } from '../core/detections.ts';
import type { Frame } from '../core/frame.ts';
import { chooseDecoder, decodeDetections } from './decoders/index.ts';
import { assertPlausible } from './decoders/plausible.ts';
import type { Decoder, DecodeOptions, OutputTensor } from './decoders/types.ts';
import { loadDescriptor } from './descriptor.ts';
import { EMBEDDED_MODEL, prepareEmbeddedModel } from './embedded.ts';
import { boxesToSource, masksToSource, modelToSource } from './letterbox.ts';
import {
  type ExtraInput,
  type ModelSpec,
  resolveModelSpec,
  type SpecOverrides,
  withDecoderLabels,
  withDecoderPreprocess,
} from './model-spec.ts';
import { InputSlots } from './input-slots.ts';
import type { Preprocessor } from './preprocess.ts';
import type { InferenceBackend, InputFeed } from './session.ts';
import { type InferenceSessionOptions, openInferenceSessions } from './session-pool.ts';

export interface DetectorOptions extends InferenceSessionOptions {
  /** Descriptor (.yaml/.yml) or .onnx path; undefined = the embedded COCO CenterNet. */
  model?: string;
  /** Resolves a relative `model`. Default: the current directory. */
  baseDir?: string;
  /** Decoder name overriding the descriptor and the automatic choice. */
  decoder?: string;
  confidence: number;
  iou: number;
  maxDetections: number;
  /** Instance-segmentation models: the mask probability a pixel needs to belong to its object (default 0.5). */
  maskThreshold?: number;
  /** Labels to keep; undefined keeps every class. */
  classes?: readonly string[];
  /** For tests: use this backend instead of opening the model with onnxruntime. */
  backend?: InferenceBackend;
}

/** The descriptor of the embedded model, from what its converter declares. */
export const EMBEDDED_SPEC: SpecOverrides = {
  file: 'the embedded CenterNet',
  decoder: EMBEDDED_MODEL.family,
  size: [EMBEDDED_MODEL.input.shape[1], EMBEDDED_MODEL.input.shape[2]],
  layout: 'NHWC',
  dtype: 'float32',
  scale: 1, // raw 0–255 pixels; the graph normalizes itself
  colorOrder: 'RGB',
  resize: 'letterbox',
  padValue: 0,
  labels: 'coco80',
};

/**
 * One model, ready to detect: session, resolved input spec, decoder and label
 * filter. `detect` preprocesses a frame (tables and tensor reused per stream
 * format), runs inference, decodes and maps boxes to source-frame pixels.
 */
/** A frame prepared for inference: its input tensors and the geometry to undo. */
export interface DetectJob {
  readonly frame: Frame;
  readonly pre: Preprocessor;
  readonly feeds: Readonly<Record<string, InputFeed>>;
}

export class Detector {
  /** Jobs that may be between `prepare` and their `infer` settling: two per session. */
  readonly depth: number;
  readonly #slots: InputSlots;
  readonly #keep: Set<number> | undefined;
  readonly #decodeOptions: DecodeOptions;
  /** Inputs besides the image (sizes), built once. */
  readonly #constantFeeds: Record<string, InputFeed>;

  private constructor(
    readonly backend: InferenceBackend,
    readonly spec: ModelSpec,
    readonly decoder: Decoder,
    readonly options: DetectorOptions,
  ) {
    this.depth = 2 * (options.instances ?? 1);
    this.#slots = new InputSlots(spec.preprocess, 'detector', this.depth);
    this.#keep = classFilter(options.classes, spec.labels);
    this.#constantFeeds = Object.fromEntries(
      spec.extraInputs.map((x) => [x.name, constantFeed(x)]),
    );
    const p = spec.preprocess;
    this.#decodeOptions = {
      inputWidth: p.width,
      inputHeight: p.height,
      confidence: options.confidence,
      iou: options.iou,
      // With a class filter, decode more so the kept classes can still fill the cap.
      maxDetections: this.#keep ? Math.max(options.maxDetections, 300) : options.maxDetections,
      classAgnostic: spec.classAgnostic,
      ...(spec.anchors ? { anchors: spec.anchors } : {}),
      ...(spec.strides ? { strides: spec.strides } : {}),
      ...(spec.boxFormat ? { boxFormat: spec.boxFormat } : {}),
    };
  }

  static async open(options: DetectorOptions): Promise<Detector> {
    const { path, overrides } = await locateModel(options);
    const backend = options.backend ?? (await openInferenceSessions(path, options));
    try {
      const spec = await resolveModelSpec(backend, overrides);
      const decoder = chooseDecoder(
        backend.outputs,
        { ...backend.metadata },
        options.decoder ?? spec.decoder,
        spec.preprocess,
      );
      const fitted = withDecoderPreprocess(spec, decoder.preprocess, overrides);
      return new Detector(backend, withDecoderLabels(fitted, decoder.name), decoder, options);
    } catch (err) {
      await backend.close();
      throw err;
    }
  }

  /** Detections of one frame, boxes in source-frame pixels (through `frame.meta.transform`). */
  /** One frame, start to finish. Pipelines overlap frames with `prepare`/`infer`/`finish`. */
  async detect(frame: Frame): Promise<Detections> {
    const job = this.prepare(frame);
    return this.finish(job, await this.infer(job));
  }

  /**
   * Preprocesses a frame into one of `depth` input slots, so the next frame can
   * be prepared while the previous one is still being inferred. At most `depth`
   * jobs may be between `prepare` and their `infer` settling: the slot's tensor
   * is in shared memory, which the worker reads during the run
   * (`pipelinedInference` prepares frame N+depth only after frame N's inference
   * settled).
   */
  prepare(frame: Frame): DetectJob {
    const { pre, data } = this.#slots.fill(frame);
    return {
      frame,
      pre,
      feeds: {
        ...this.#constantFeeds,
        [this.spec.inputName]: {
          type: this.spec.preprocess.dtype,
          data,
          dims: pre.dims,
        } as InputFeed,
      },
    };
  }

  infer(job: DetectJob): Promise<OutputTensor[]> {
    return this.#slots.read(job.pre, () => this.backend.run(job.feeds));
  }

  /** Decodes outputs and maps boxes back to the frame's source pixels. */
  finish(job: DetectJob, outputs: OutputTensor[]): Detections {
    const { frame, pre } = job;
    // NMS once, after decoding, for the families whose outputs need it.
    const raw = decodeDetections(this.decoder, outputs, this.#decodeOptions);
    assertPlausible(raw, this.decoder.name, {
      count: this.spec.labels.length,
      from: this.spec.labelsFrom,
    });
    const toSource = modelToSource(pre.letterbox, frame.width, frame.height, frame.meta.transform);
    const p = this.spec.preprocess;
    const masks = raw.masks
      ? masksToSource(raw.masks, raw.boxes.slice(), p, toSource, this.options.maskThreshold ?? 0.5)
      : undefined;
    let found = new Detections({
      boxes: boxesToSource(raw.boxes, toSource),
      scores: raw.scores,
      classIds: raw.classIds,
      names: this.spec.labels,
      ...(masks ? { masks } : {}),
    });
    const keep = this.#keep;
    if (keep) found = found.filter((i) => keep.has(found.classIds[i]!));
    if (found.length > this.options.maxDetections) {
      found = found.select(Array.from({ length: this.options.maxDetections }, (_, i) => i));
    }
    return found;
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

/** Which ONNX file to open and the descriptor values that go with it. */
export async function locateModel(
  options: DetectorOptions,
): Promise<{ path: string; overrides: SpecOverrides }> {
  if (options.model === undefined) {
    const prepareOptions = options.log ? { log: options.log } : {};
    return { path: await prepareEmbeddedModel(prepareOptions), overrides: EMBEDDED_SPEC };
  }
  const path = resolve(options.baseDir ?? '.', options.model);
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') {
    const d = await loadDescriptor(path);
    if (!existsSync(d.modelPath)) {
      throw new FramewireError(
        'MODEL_MISSING',
        `model file not found: ${d.modelPath} (\`model:\` of ${path})`,
        {
          hint: '`model:` in a descriptor is relative to the descriptor; export or copy the .onnx file there (README: "Bring your own model")',
        },
      );
    }
    return { path: d.modelPath, overrides: d };
  }
  if (ext !== '.onnx') {
    throw new FramewireError(
      'MODEL_INVALID',
      `model ${options.model} is neither .onnx nor a .yaml descriptor`,
      {
        hint: 'give an ONNX file (e.g. yolov8n.onnx) or a model descriptor (models/*.yaml)',
      },
    );
  }
  return { path, overrides: {} };
}

/** Class ids to keep, or a config error listing the model's labels. */
function classFilter(
  classes: readonly string[] | undefined,
  labels: readonly string[],
): Set<number> | undefined {
  if (!classes || classes.length === 0) return undefined;
  const ids = new Set<number>();
  const unknown: string[] = [];
  for (const name of classes) {
    const id = labels.indexOf(name);
    if (id === -1) unknown.push(name);
    else ids.add(id);
  }
  if (unknown.length > 0) {
    throw new ConfigError(
      `classes: unknown label${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}`,
      // filter() skips the holes of a sparse space such as coco91.
      { hint: `this model's labels: ${labels.filter(() => true).join(', ')}` },
    );
  }
  return ids;
}

function constantFeed(x: ExtraInput): InputFeed {
  if (x.type === 'int64')
    return { type: 'int64', data: BigInt64Array.from(x.values.map(BigInt)), dims: x.dims };
  if (x.type === 'int32') return { type: 'int32', data: Int32Array.from(x.values), dims: x.dims };
  return { type: 'float32', data: Float32Array.from(x.values), dims: x.dims };
}
