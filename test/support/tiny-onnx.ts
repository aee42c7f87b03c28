/**
 * Builds tiny real ONNX models in memory (onnx-proto), so session and metadata
 * tests run against onnxruntime without shipping binary fixtures.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface TinyModelOptions {
  /** Input dims; the output has the same shape. Strings are symbolic dims. */
  dims?: (number | string)[];
  /** `metadata_props` key/values. */
  metadata?: Record<string, string>;
  /** Output = input × this factor (Mul by a scalar initializer), so runs are checkable. */
  factor?: number;
  /** Replaces the Mul node's op type, e.g. with one onnxruntime does not know. */
  opType?: string;
}

/** `output = images × factor`, float32. */
export function tinyModel(opts: TinyModelOptions = {}): Uint8Array {
  const dims = opts.dims ?? [1, 3, 4, 4];
  const shape = {
    dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
  };
  const type = { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape } };
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'framewire-test',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny',
      node: [
        {
          opType: opts.opType ?? 'Mul',
          input: ['images', 'factor'],
          output: ['output0'],
          name: 'mul',
        },
      ],
      initializer: [
        {
          name: 'factor',
          dataType: onnx.TensorProto.DataType.FLOAT,
          dims: [],
          floatData: [opts.factor ?? 2],
        },
      ],
      input: [{ name: 'images', type }],
      output: [{ name: 'output0', type }],
    },
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
