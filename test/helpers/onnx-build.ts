/**
 * Builds tiny ONNX models for decoder tests: every graph output is an Identity of an
 * initializer holding a known tensor, so onnxruntime returns exactly that tensor with
 * the element type and shape a real export of that family would produce. Symbolic
 * dimensions (torchvision's dynamic N) are declared on the output's value info.
 */
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';

const { onnx } = onnxProto;

export type ElementType = 'float32' | 'int32' | 'int64' | 'uint8';

export interface FixedOutput {
  name: string;
  dims: readonly number[];
  /** Declared shape: a string entry is a symbolic dimension (e.g. `'N'`). Defaults to `dims`. */
  declared?: readonly (number | string)[];
  type?: ElementType;
  values: ArrayLike<number>;
}

const DATA_TYPE: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  uint8: onnx.TensorProto.DataType.UINT8,
};

function rawBytes(type: ElementType, values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const view =
    type === 'float32'
      ? Float32Array.from(values)
      : type === 'int32'
        ? Int32Array.from(values)
        : type === 'uint8'
          ? Uint8Array.from(values)
          : BigInt64Array.from(Array.from({ length: n }, (_, i) => BigInt(Math.round(values[i]!))));
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function valueInfo(name: string, type: ElementType, shape: readonly (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[type],
        shape: {
          dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

/** The serialized model. `input` adds an (unused) image input like a real detector's. */
export function buildConstantModel(
  outputs: readonly FixedOutput[],
  opts: {
    input?: readonly number[];
    /** The image input's element type (TF detectors take uint8); default float32. */
    inputType?: ElementType;
    metadata?: Record<string, string>;
    /**
     * Also list every initializer as a graph input, as older exporters did
     * (onnxruntime then warns once per initializer).
     */
    initializersAsInputs?: boolean;
  } = {},
): Uint8Array {
  const graph = {
    name: 'fixture',
    node: outputs.map((o) => ({
      opType: 'Identity',
      input: [`${o.name}__value`],
      output: [o.name],
      name: `identity_${o.name}`,
    })),
    initializer: outputs.map((o) => {
      const type = o.type ?? 'float32';
      if (o.values.length !== o.dims.reduce((a, b) => a * b, 1)) {
        throw new Error(`fixture ${o.name}: ${o.values.length} values for shape [${o.dims}]`);
      }
      return {
        name: `${o.name}__value`,
        dims: [...o.dims],
        dataType: DATA_TYPE[type],
        rawData: rawBytes(type, o.values),
      };
    }),
    input: [
      ...(opts.input ? [valueInfo('images', opts.inputType ?? 'float32', opts.input)] : []),
      ...(opts.initializersAsInputs
        ? outputs.map((o) => valueInfo(`${o.name}__value`, o.type ?? 'float32', o.dims))
        : []),
    ],
    output: outputs.map((o) => valueInfo(o.name, o.type ?? 'float32', o.declared ?? o.dims)),
  };
  const model = {
    irVersion: 8,
    producerName: 'framewire-test',
    opsetImport: [{ domain: '', version: 17 }],
    graph,
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

export interface RunResult {
  /** What `chooseDecoder` sees: names and declared shapes from the session. */
  signature: { name: string; dims: (number | string)[] }[];
  /** What `decode` sees: the tensors onnxruntime returned, in output order. */
  tensors: {
    name: string;
    dims: readonly number[];
    data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
  }[];
}

/** Loads the model in onnxruntime-node and runs it once. */
export async function runConstantModel(
  outputs: readonly FixedOutput[],
  opts: { input?: readonly number[]; metadata?: Record<string, string> } = {},
): Promise<RunResult> {
  const session = await ort.InferenceSession.create(buildConstantModel(outputs, opts));
  try {
    const feeds: Record<string, ort.Tensor> = {};
    if (opts.input) {
      const size = opts.input.reduce((a, b) => a * b, 1);
      feeds.images = new ort.Tensor('float32', new Float32Array(size), [...opts.input]);
    }
    const result = await session.run(feeds);
    const signature = session.outputMetadata.map((m) => ({
      name: m.name,
      dims: m.isTensor ? [...m.shape] : [],
    }));
    const tensors = session.outputNames.map((name) => {
      const t = result[name]!;
      return { name, dims: t.dims, data: t.data as Float32Array | Int32Array | BigInt64Array };
    });
    return { signature, tensors };
  } finally {
    await session.release();
  }
}
