import { FramewireError } from '../../core/errors.ts';
import { fromFloat16Bits } from '../float16.ts';
import { OnnxGraphBuilder, type TensorDecl } from '../tfjs/onnx-writer.ts';
import {
  type Constant,
  type OpContext,
  type OpConverter,
  TO_NCHW,
  TO_NHWC,
  unsupported,
  type Value,
} from './context.ts';
import { TENSOR_TYPE, type TfliteModel, type TfliteTensor } from './model.ts';
import { convOps } from './ops-conv.ts';
import { elementwiseOps } from './ops-elementwise.ts';

/**
 * TFLite → ONNX, for float models. Operators are already in execution order
 * in a TFLite subgraph, so one pass converts them. DEQUANTIZE of a float16
 * constant is folded here (the weights become float32 initializers), so the
 * ONNX graph is plain float32. Inputs and outputs keep TFLite's NHWC layout;
 * a Transpose at each end lets everything in between run NCHW.
 */

export interface TfliteConvertResult {
  onnx: Uint8Array;
  inputs: TensorDecl[];
  outputs: TensorDecl[];
  /** TFLite ops converted, with counts, for logs and tests. */
  ops: Record<string, number>;
}

const CONVERTERS: Record<string, OpConverter> = { ...convOps, ...elementwiseOps };

/** The TFLite ops this converter handles. */
export const SUPPORTED_TFLITE_OPS = [...Object.keys(CONVERTERS), 'DEQUANTIZE'].sort();

export function convertTflite(model: TfliteModel, doc = ''): TfliteConvertResult {
  refuseUnsupported(model);
  const b = new OnnxGraphBuilder();
  const names = model.tensors.map((t) => t.name);
  // Reserve the outputs' names so no intermediate takes them.
  for (const i of model.outputs) b.fresh(names[i]!);
  const values = new Map<number, Value>();
  const constants = new Map<number, Constant>();
  const ops: Record<string, number> = {};

  const inputs = model.inputs.map((i) => {
    const t = model.tensors[i]!;
    if (t.type !== TENSOR_TYPE.FLOAT32) throw modelError(`input "${t.name}" is not float32`);
    const decl = { name: t.name, dims: t.shape };
    b.input(decl);
    if (t.shape.length === 4) {
      const nchw = b.fresh(`${t.name}/nchw`);
      b.node('Transpose', [t.name], [nchw], { perm: TO_NCHW });
      values.set(i, { name: nchw, shape: t.shape });
    } else {
      values.set(i, { name: t.name, shape: t.shape });
    }
    return decl;
  });

  const constantAt = (i: number): Constant | undefined => {
    const folded = constants.get(i);
    if (folded) return folded;
    const t = model.tensors[i];
    const data = t && model.buffers[t.buffer];
    if (!t || !data || data.byteLength === 0) return undefined;
    const c = decodeConstant(t, data);
    constants.set(i, c);
    return c;
  };

  for (const op of model.operators) {
    const output = model.tensors[op.outputs[0]!];
    if (!output || op.outputs.length !== 1) {
      throw modelError(`${op.op} has ${op.outputs.length} outputs; only single-output ops convert`);
    }
    ops[op.op] = (ops[op.op] ?? 0) + 1;
    if (op.op === 'DEQUANTIZE') {
      const c = constantAt(op.inputs[0]!);
      if (!c || model.tensors[op.inputs[0]!]!.type !== TENSOR_TYPE.FLOAT16) {
        throw unsupported({ op, output }, 'only float16 constants are dequantized');
      }
      constants.set(op.outputs[0]!, c);
      continue;
    }
    const ctx: OpContext = {
      op,
      b,
      output,
      value: (k) => {
        const index = op.inputs[k];
        const v = index === undefined ? undefined : values.get(index);
        if (!v) throw unsupported(ctx, `input ${k} is missing or a constant`);
        return v;
      },
      constant: (k, role) => {
        const index = op.inputs[k];
        const c = index === undefined ? undefined : constantAt(index);
        if (!c) throw unsupported(ctx, `${role} (input ${k}) must be a constant`);
        return c;
      },
      name: (suffix) => b.fresh(suffix ? `${output.name}/${suffix}` : output.name),
    };
    values.set(op.outputs[0]!, CONVERTERS[op.op]!(ctx));
  }

  const outputs = model.outputs.map((i) => {
    const t = model.tensors[i]!;
    const v = values.get(i);
    if (!v) throw modelError(`output "${t.name}" is not computed by any operator`);
    const four = v.shape.length === 4;
    b.node(four ? 'Transpose' : 'Identity', [v.name], [t.name], four ? { perm: TO_NHWC } : {});
    const decl = { name: t.name, dims: v.shape };
    b.output(decl);
    return decl;
  });
  return {
    onnx: b.encode({ graphName: 'tflite', producer: 'framewire', doc }),
    inputs,
    outputs,
    ops,
  };
}

/** Every op the converter lacks, named at once, before any work. */
function refuseUnsupported(model: TfliteModel): void {
  const missing = [...new Set(model.operators.map((o) => o.op))].filter(
    (op) => !SUPPORTED_TFLITE_OPS.includes(op),
  );
  if (missing.length > 0) {
    throw new FramewireError(
      'MODEL_INVALID',
      `the TFLite model uses ops the converter does not handle: ${missing.join(', ')}`,
      {
        hint: `supported: ${SUPPORTED_TFLITE_OPS.join(', ')} (the ops of the embedded selfie segmenter)`,
      },
    );
  }
}

function decodeConstant(t: TfliteTensor, bytes: Uint8Array): Constant {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = t.shape.reduce((a, d) => a * d, 1);
  const width = t.type === TENSOR_TYPE.FLOAT16 ? 2 : 4;
  if (bytes.byteLength !== count * width) {
    throw modelError(`constant "${t.name}" [${t.shape}] holds ${bytes.byteLength} bytes`);
  }
  if (t.type === TENSOR_TYPE.FLOAT32) {
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
    return { shape: t.shape, data };
  }
  if (t.type === TENSOR_TYPE.FLOAT16) {
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = fromFloat16Bits(view.getUint16(i * 2, true));
    return { shape: t.shape, data };
  }
  if (t.type === TENSOR_TYPE.INT32) {
    const data = new Int32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, true);
    return { shape: t.shape, data };
  }
  throw modelError(
    `constant "${t.name}" has tensor type ${t.type}; only float32/16 and int32 convert`,
  );
}

function modelError(message: string): FramewireError {
  return new FramewireError('MODEL_INVALID', `cannot convert the TFLite model: ${message}`);
}
