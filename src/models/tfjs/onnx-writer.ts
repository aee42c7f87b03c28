import onnxProto from 'onnx-proto';

/**
 * A small append-only ONNX graph builder over the protobufjs classes of
 * `onnx-proto`. Converters add nodes and initializers; `encode()` serializes.
 */

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

/** Opset 13: Resize with `sizes`, Clip with min/max inputs, ReduceMean with axes attribute. */
export const OPSET = 13;
/** IR version 7 is what opset 13 was released with; every ORT since 1.6 reads it. */
const IR_VERSION = 7;

export type AttrValue = number | number[] | string | { float: number };

export interface TensorDecl {
  name: string;
  /** Static dims; the graph is converted for one fixed input size. */
  dims: number[];
}

export class OnnxGraphBuilder {
  readonly #nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly #initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  readonly #inputs: TensorDecl[] = [];
  readonly #outputs: TensorDecl[] = [];
  readonly #used = new Set<string>();
  #counter = 0;

  /** A name not used before, derived from `base` so the ONNX graph stays readable. */
  fresh(base: string): string {
    let name = base;
    while (this.#used.has(name)) name = `${base}__${++this.#counter}`;
    this.#used.add(name);
    return name;
  }

  /** Appends a node; integer-valued attributes are INT(S), `{ float }` and non-integers FLOAT. */
  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attrs: Record<string, AttrValue> = {},
    name?: string,
  ): void {
    const attribute = Object.entries(attrs).map(([key, v]) => toAttribute(key, v));
    this.#nodes.push(
      new onnx.NodeProto({ opType, input: inputs, output: outputs, attribute, name: name ?? '' }),
    );
  }

  /** A float32 initializer; returns its name. */
  floats(base: string, dims: number[], data: Float32Array | number[]): string {
    const name = this.fresh(base);
    const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
    this.#initializers.push(
      new onnx.TensorProto({ name, dims, dataType: DataType.FLOAT, rawData: littleEndian(f32) }),
    );
    return name;
  }

  /** An int64 initializer (shapes, axes, sizes); returns its name. */
  int64s(base: string, dims: number[], data: number[]): string {
    const name = this.fresh(base);
    const raw = new Uint8Array(data.length * 8);
    const view = new DataView(raw.buffer);
    for (const [i, v] of data.entries()) view.setBigInt64(i * 8, BigInt(v), true);
    this.#initializers.push(
      new onnx.TensorProto({ name, dims, dataType: DataType.INT64, rawData: raw }),
    );
    return name;
  }

  input(decl: TensorDecl): void {
    this.#used.add(decl.name);
    this.#inputs.push(decl);
  }

  output(decl: TensorDecl): void {
    this.#outputs.push(decl);
  }

  encode(meta: { graphName: string; producer: string; doc?: string }): Uint8Array {
    const graph = new onnx.GraphProto({
      name: meta.graphName,
      node: this.#nodes,
      initializer: this.#initializers,
      input: this.#inputs.map(valueInfo),
      output: this.#outputs.map(valueInfo),
    });
    const model = new onnx.ModelProto({
      irVersion: IR_VERSION,
      producerName: meta.producer,
      docString: meta.doc ?? '',
      opsetImport: [{ domain: '', version: OPSET }],
      graph,
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function toAttribute(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') {
    return new onnx.AttributeProto({ name, type: T.STRING, s: new TextEncoder().encode(v) });
  }
  if (Array.isArray(v)) return new onnx.AttributeProto({ name, type: T.INTS, ints: v });
  if (typeof v === 'object') return new onnx.AttributeProto({ name, type: T.FLOAT, f: v.float });
  return Number.isInteger(v)
    ? new onnx.AttributeProto({ name, type: T.INT, i: v })
    : new onnx.AttributeProto({ name, type: T.FLOAT, f: v });
}

function valueInfo(decl: TensorDecl): InstanceType<typeof onnx.ValueInfoProto> {
  return new onnx.ValueInfoProto({
    name: decl.name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: { dim: decl.dims.map((d) => ({ dimValue: d })) },
      },
    },
  });
}

/** ONNX raw_data is little-endian; Node's supported platforms are too, but do not assume. */
function littleEndian(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}
