import { dirname, resolve } from 'node:path';
import { type Issue, issuesError, throwIfIssues } from '../config/issues.ts';
import { readFields } from '../config/read-fields.ts';
import { type InferFields, optional, t } from '../core/schema.ts';
import { configText, readConfigBytes, yamlTree } from '../config/yaml-file.ts';
import { FramewireError } from '../core/errors.ts';
import { decoders } from './decoders/index.ts';

/**
 * A model descriptor: the YAML that tells framewire how to feed and read an ONNX
 * model. Every field but `model` is optional; what is left out comes from the
 * ONNX file (Ultralytics metadata, the input's shape and type) or the defaults.
 */
export const descriptorFields = {
  model: t.string({ doc: 'The ONNX file, relative to this descriptor', minLength: 1 }),
  decoder: optional(
    t.enum(decoders.names(), {
      doc: 'Output decoder; default: recognised from the outputs',
    }),
  ),
  size: optional(
    t.union(
      [
        t.integer({ doc: 'Square input size', min: 1 }),
        t.list(t.integer({ doc: 'Pixels', min: 1 }), {
          doc: '[height, width]',
          minItems: 2,
          maxItems: 2,
        }),
      ],
      {
        doc: 'Input size, `640` or `[height, width]`; default: the input shape, else metadata `imgsz`, else 640',
      },
    ),
  ),
  layout: optional(
    t.enum(['NCHW', 'NHWC'], { doc: 'Input tensor layout; default: from the input shape' }),
  ),
  dtype: optional(
    t.enum(['float32', 'uint8', 'float16'], { doc: 'Input element type; default: from the model' }),
  ),
  scale: optional(
    t.number({
      doc: 'Pixel multiplier before mean/std (1/255 maps to 0–1); default 1/255 for float inputs, 1 (raw 0–255) for a recognised YOLOX',
      exclusiveMin: 0,
    }),
  ),
  mean: optional(
    t.list(t.number({ doc: 'Per channel, RGB order, after scale' }), {
      doc: "Subtracted per channel after scaling (ImageNet: [0.485, 0.456, 0.406]); default [0, 0, 0], NanoDet's own for a recognised NanoDet",
      minItems: 3,
      maxItems: 3,
    }),
  ),
  std: optional(
    t.list(t.number({ doc: 'Per channel, RGB order', exclusiveMin: 0 }), {
      doc: "Divides per channel after the mean (ImageNet: [0.229, 0.224, 0.225]); default [1, 1, 1], NanoDet's own for a recognised NanoDet",
      minItems: 3,
      maxItems: 3,
    }),
  ),
  colorOrder: optional(
    t.enum(['RGB', 'BGR'], {
      doc: 'Channel order the model was trained on (OpenCV/Caffe models: BGR); default RGB, BGR for a recognised YOLOX',
    }),
  ),
  resize: t.enum(['letterbox', 'stretch'], {
    doc: 'letterbox keeps the aspect ratio and pads (YOLO); stretch fills the input (SSD, most TF models)',
    default: 'letterbox',
  }),
  pad: optional(
    t.enum(['center', 'top-left'], {
      doc: 'Where the letterbox puts the image: center (Ultralytics) or top-left (YOLOX); default center, top-left for a recognised YOLOX',
    }),
  ),
  padValue: t.integer({
    doc: 'Letterbox padding pixel value, 0–255 before normalization (Ultralytics: 114)',
    min: 0,
    max: 255,
    default: 114,
  }),
  labels: optional(
    t.union(
      [
        t.string({ doc: '`coco80`, or a file with one label per line', minLength: 1 }),
        t.list(t.string({ doc: 'A class name', minLength: 1 }), { doc: 'Class names by id' }),
      ],
      { doc: 'Class names: `coco80`, a list, or a file; default: the model metadata, else coco80' },
    ),
  ),
  anchors: optional(
    t.list(
      t.list(t.number({ doc: 'Pixels', exclusiveMin: 0 }), { doc: 'w,h pairs of one level' }),
      {
        doc: 'Anchor (w, h) pairs per stride level, flattened, in input pixels (YOLOv3/v5/v7)',
      },
    ),
  ),
  strides: optional(
    t.list(t.integer({ doc: 'Pixels', min: 1 }), {
      doc: 'Stride of each output level (8, 16, 32)',
    }),
  ),
  classAgnostic: t.boolean({
    doc: 'NMS across classes instead of within each class',
    default: false,
  }),
  boxFormat: optional(
    t.enum(['xyxy-normalized', 'xyxy', 'cxcywh-normalized', 'cxcywh'], {
      doc: 'single-object decoder only: how the box head is encoded',
    }),
  ),
};

export type DescriptorValues = InferFields<typeof descriptorFields>;

export interface Descriptor extends DescriptorValues {
  /** The descriptor file, for messages and relative paths. */
  readonly file: string;
  /** `model` resolved against the descriptor's directory. */
  readonly modelPath: string;
}

/**
 * Reads and validates a descriptor file. Problems are reported like pipeline
 * errors — file:line:col, the key, the allowed values — all at once (exit code 2).
 */
export async function loadDescriptor(file: string): Promise<Descriptor> {
  let bytes: Buffer;
  try {
    bytes = await readConfigBytes(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FramewireError(
      code === 'ENOENT' ? 'MODEL_MISSING' : 'MODEL_INVALID',
      code === 'ENOENT'
        ? `model descriptor not found: ${file}`
        : `cannot read model descriptor ${file}: ${code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`,
    );
  }
  return parseDescriptor(configText(bytes, file, 'model descriptor'), file);
}

export function parseDescriptor(text: string, file: string): Descriptor {
  const issues: Issue[] = [];
  const root = yamlTree(text, file, { env: process.env, issues, what: 'model descriptor' });
  if (root?.kind !== 'map') {
    throw issuesError(file, [
      {
        where: root?.where ?? { pos: { line: 1, col: 1 } },
        message: 'a model descriptor is a mapping with at least `model: file.onnx`',
      },
    ]);
  }
  const values = readFields(root, descriptorFields, '', issues) as DescriptorValues;
  throwIfIssues(file, issues);
  return { ...values, file, modelPath: resolve(dirname(file), values.model) };
}
