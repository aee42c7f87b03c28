import { FramewireError } from '../core/errors.ts';
import type { BoxFormat, PreprocessDefaults } from './decoders/types.ts';
import type { Descriptor } from './descriptor.ts';
import { decoderDefaultLabels, type LabelSpace, resolveLabels } from './labels/label-space.ts';
import { interpretMetadata } from './metadata.ts';
import type { PreprocessSpec, TensorLayout } from './preprocess.ts';
import type { InferenceBackend, TensorInfo } from './session.ts';

/** Everything the detector needs about a model, every default resolved. */
export interface ModelSpec {
  readonly inputName: string;
  /** Constant inputs besides the image (RT-DETR's `orig_target_sizes`, Paddle's `im_shape`). */
  readonly extraInputs: readonly ExtraInput[];
  readonly preprocess: PreprocessSpec;
  /** Decoder name from the descriptor or override; undefined = recognise from the outputs. */
  readonly decoder: string | undefined;
  /** Class names indexed by the model's own class id (see `LabelSpace`). */
  readonly labels: LabelSpace;
  /** Where the labels came from, for `framewire detect` and messages. */
  readonly labelsFrom: string;
  /** No descriptor or metadata named the labels; `withDecoderLabels` picks them. */
  readonly labelsDefaulted: boolean;
  readonly anchors: number[][] | undefined;
  readonly strides: number[] | undefined;
  readonly classAgnostic: boolean;
  readonly boxFormat: BoxFormat | undefined;
}

/** A constant second input, fed the same values every frame. */
export interface ExtraInput {
  readonly name: string;
  readonly type: 'int64' | 'int32' | 'float32';
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

/** Descriptor values that can come from code instead of a file (the embedded model). */
export type SpecOverrides = Partial<Omit<Descriptor, 'file' | 'model' | 'modelPath'>> & {
  file?: string;
};

/**
 * Fills in what the descriptor leaves out, in this order: the descriptor, the
 * ONNX metadata (Ultralytics `names`, `imgsz`, `stride`), the input's declared
 * shape and element type, then defaults (640, NCHW, float32 0–1, RGB,
 * letterbox with 114 padding, COCO labels; `withDecoderLabels` picks coco80 or
 * coco91 once the decoder is known).
 */
export async function resolveModelSpec(
  backend: InferenceBackend,
  d: SpecOverrides = {},
): Promise<ModelSpec> {
  const where = d.file ?? 'the model';
  const input = backend.inputs.find((i) => i.dims.length === 4) ?? backend.inputs[0];
  if (!input) throw new FramewireError('MODEL_INVALID', `${where} has no inputs`);
  const hints = interpretMetadata({ ...backend.metadata });
  if (hints.task === 'classify') {
    throw new FramewireError(
      'MODEL_INVALID',
      `${where} is an image classifier (metadata task: classify); detect needs a detection model`,
      { hint: 'export a detection model, e.g. `yolo export model=yolov8n.pt format=onnx`' },
    );
  }
  const layout = d.layout ?? layoutOf(input);
  const [height, width] = sizeOf(input, layout, d.size, hints.imgsz);
  const dtype = d.dtype ?? dtypeOf(input, where);
  const { labels, from, defaulted } = await resolveLabels(d.labels, hints.names, d.file);
  const extraInputs = backend.inputs
    .filter((i) => i !== input)
    .map((i) => sizeInput(i, width, height, where));
  return {
    inputName: input.name,
    extraInputs,
    preprocess: {
      width,
      height,
      layout,
      dtype,
      colorOrder: d.colorOrder ?? 'RGB',
      resize: d.resize ?? 'letterbox',
      padValue: d.padValue ?? 114,
      pad: d.pad ?? 'center',
      scale: d.scale ?? (dtype === 'uint8' ? 1 : 1 / 255),
      mean: tuple3(d.mean, 0),
      std: tuple3(d.std, 1),
    },
    decoder: d.decoder,
    labels,
    labelsFrom: from,
    labelsDefaulted: defaulted,
    anchors: d.anchors,
    strides: d.strides,
    classAgnostic: d.classAgnostic ?? false,
    boxFormat: d.boxFormat,
  };
}

/**
 * Once the decoder is known: a model that named no labels gets its family's
 * COCO space (`coco91` for torchvision and TF detectors, whose COCO weights emit
 * category ids; `coco80` otherwise). Declared labels are left alone.
 */
export function withDecoderLabels(spec: ModelSpec, decoder: string): ModelSpec {
  if (!spec.labelsDefaulted) return spec;
  const { labels, from } = decoderDefaultLabels(decoder);
  return { ...spec, labels, labelsFrom: from };
}

/**
 * Once the decoder is known: its family's own preprocessing (YOLOX: top-left
 * padding, raw 0–255 BGR pixels) for whatever the descriptor `d` left unsaid.
 * Without it a recognised YOLOX export would be fed centred, scaled RGB input
 * and find nothing.
 */
export function withDecoderPreprocess(
  spec: ModelSpec,
  defaults: PreprocessDefaults | undefined,
  d: SpecOverrides,
): ModelSpec {
  if (!defaults) return spec;
  const p = spec.preprocess;
  const floatInput = p.dtype !== 'uint8';
  return {
    ...spec,
    preprocess: {
      ...p,
      pad: d.pad ?? defaults.pad ?? p.pad,
      colorOrder: d.colorOrder ?? defaults.colorOrder ?? p.colorOrder,
      scale: d.scale ?? (floatInput ? defaults.scale : undefined) ?? p.scale,
      mean: d.mean ? p.mean : (defaults.mean ?? p.mean),
      std: d.std ? p.std : (defaults.std ?? p.std),
    },
  };
}

function layoutOf(input: TensorInfo): TensorLayout {
  const dims = input.dims;
  if (dims.length === 4 && dims[3] === 3 && dims[1] !== 3) return 'NHWC';
  return 'NCHW';
}

/** `[height, width]`: descriptor, else a fixed input shape, else metadata `imgsz`, else 640. */
function sizeOf(
  input: TensorInfo,
  layout: TensorLayout,
  size: number | number[] | undefined,
  imgsz: [number, number] | undefined,
): [number, number] {
  if (typeof size === 'number') return [size, size];
  if (Array.isArray(size)) return [size[0]!, size[1]!];
  const [h, w] =
    layout === 'NCHW' ? [input.dims[2], input.dims[3]] : [input.dims[1], input.dims[2]];
  if (typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0) return [h, w];
  return imgsz ?? [640, 640];
}

function dtypeOf(input: TensorInfo, where: string): 'float32' | 'uint8' | 'float16' {
  if (input.type === 'float32' || input.type === 'uint8' || input.type === 'float16') {
    return input.type;
  }
  throw new FramewireError(
    'MODEL_INVALID',
    `${where}: input ${input.name} is ${input.type}; framewire feeds float32, float16 or uint8 images`,
  );
}

function tuple3(v: number[] | undefined, fill: number): [number, number, number] {
  return v && v.length === 3 ? [v[0]!, v[1]!, v[2]!] : [fill, fill, fill];
}

/**
 * Some detectors take the image size as a second input and scale their boxes to
 * it. Fed the MODEL-INPUT size, their boxes come out in input pixels like every
 * other family's, and the letterbox undo does the rest.
 */
function sizeInput(i: TensorInfo, width: number, height: number, where: string): ExtraInput {
  const name = i.name.toLowerCase();
  const values = /orig_target_sizes|orig_size|target_size/.test(name)
    ? [width, height] // RT-DETR (lyuwenyu): [w, h]
    : /im_shape|image_shape|img_shape|image_size/.test(name)
      ? [height, width] // PaddleDetection: [h, w]
      : /scale_factor/.test(name)
        ? [1, 1]
        : undefined;
  const count = i.dims.reduce<number>((n, d) => n * (typeof d === 'number' ? d : 1), 1);
  const type =
    i.type === 'int64' || i.type === 'int32' || i.type === 'float32' ? i.type : undefined;
  if (!values || count !== 2 || !type) {
    throw new FramewireError(
      'MODEL_INVALID',
      `${where}: input ${i.name} [${i.dims.join(',')}] ${i.type} is neither the image nor a size framewire knows how to fill`,
      { hint: 'export the model with the image as its only input' },
    );
  }
  return { name: i.name, type, dims: i.dims.length === 1 ? [2] : [1, 2], values };
}
