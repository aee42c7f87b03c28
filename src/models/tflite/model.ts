import { readFile } from 'node:fs/promises';
import { FramewireError } from '../../core/errors.ts';
import { FbTable } from './flatbuffer.ts';

/**
 * Reads a TFLite model (FlatBuffer, schema.fbs of TensorFlow Lite) into plain
 * objects: the tables the converter needs and nothing more. Field numbers are
 * those of schema.fbs; a union takes two slots (its type, then its value).
 */

/** TensorType values of schema.fbs that the converter meets. */
export const TENSOR_TYPE = { FLOAT32: 0, FLOAT16: 1, INT32: 2 } as const;

export interface TfliteTensor {
  name: string;
  shape: number[];
  type: number;
  /** Index into `TfliteModel.buffers`; buffer 0 is the empty sentinel. */
  buffer: number;
}

export interface TfliteOperator {
  /** BuiltinOperator name (`CONV_2D`) or, for custom ops, the custom code. */
  op: string;
  inputs: number[];
  outputs: number[];
  /** The builtin options table, if any (read per op by the converter). */
  options: FbTable | undefined;
  /** Raw custom options (custom ops). */
  custom: Uint8Array | undefined;
}

export interface TfliteModel {
  description: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
  /** Constant data per buffer index (empty for activations). */
  buffers: Uint8Array[];
}

/** BuiltinOperator codes (schema.fbs) by name, for the ops framewire converts or names in errors. */
const BUILTIN_NAMES: Record<number, string> = {
  0: 'ADD',
  1: 'AVERAGE_POOL_2D',
  2: 'CONCATENATION',
  3: 'CONV_2D',
  4: 'DEPTHWISE_CONV_2D',
  6: 'DEQUANTIZE',
  9: 'FULLY_CONNECTED',
  14: 'LOGISTIC',
  17: 'MAX_POOL_2D',
  18: 'MUL',
  19: 'RELU',
  21: 'RELU6',
  22: 'RESHAPE',
  23: 'RESIZE_BILINEAR',
  25: 'SOFTMAX',
  28: 'TANH',
  32: 'CUSTOM',
  34: 'PAD',
  39: 'TRANSPOSE',
  40: 'MEAN',
  41: 'SUB',
  42: 'DIV',
  97: 'RESIZE_NEAREST_NEIGHBOR',
  117: 'HARD_SWISH',
};

const CUSTOM = 32;

export async function readTfliteFile(path: string): Promise<TfliteModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new FramewireError('MODEL_MISSING', `cannot read the TFLite model ${path}`, {
      cause: err,
    });
  }
  return parseTflite(bytes);
}

export function parseTflite(bytes: Uint8Array): TfliteModel {
  // The file identifier sits right after the root offset.
  const ident = new TextDecoder().decode(bytes.subarray(4, 8));
  if (bytes.byteLength < 8 || ident !== 'TFL3') {
    throw new FramewireError('MODEL_INVALID', 'not a TFLite model (no "TFL3" identifier)', {
      hint: 'give a .tflite file',
    });
  }
  const model = FbTable.root(bytes);
  const codes = model.tables(1).map(opName);
  const subgraphs = model.tables(2);
  if (subgraphs.length !== 1) {
    throw new FramewireError(
      'MODEL_INVALID',
      `the TFLite model has ${subgraphs.length} subgraphs; only single-graph models convert`,
    );
  }
  const graph = subgraphs[0]!;
  const tensors = graph.tables(0).map((t) => ({
    shape: t.i32s(0),
    type: t.u8(1),
    buffer: t.u32(2),
    name: t.string(3) ?? '',
  }));
  const operators = graph.tables(3).map((o): TfliteOperator => {
    const index = o.u32(0);
    const op = codes[index];
    if (op === undefined)
      throw new FramewireError('MODEL_INVALID', `operator code ${index} missing`);
    return {
      op,
      inputs: o.i32s(1),
      outputs: o.i32s(2),
      options: o.table(4),
      custom: o.bytes(5),
    };
  });
  const buffers = model.tables(4).map((b) => {
    // Models over 2 GB keep data outside the FlatBuffer (offset/size); the selfie model does not.
    if (b.u64(1) !== 0) {
      throw new FramewireError('MODEL_INVALID', 'TFLite buffers stored outside the FlatBuffer');
    }
    return b.bytes(0) ?? new Uint8Array(0);
  });
  return {
    description: model.string(3) ?? '',
    tensors,
    inputs: graph.i32s(1),
    outputs: graph.i32s(2),
    operators,
    buffers,
  };
}

function opName(code: FbTable): string {
  // Files from before code 127 fill only the deprecated byte; newer ones both (the larger wins).
  const builtin = Math.max(code.u8(0), code.i32(3));
  if (builtin === CUSTOM) return code.string(1) ?? 'CUSTOM';
  return BUILTIN_NAMES[builtin] ?? `BUILTIN_${builtin}`;
}
