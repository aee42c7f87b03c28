import { FramewireError } from '../../core/errors.ts';
import type { OnnxGraphBuilder } from '../tfjs/onnx-writer.ts';
import type { TfliteOperator, TfliteTensor } from './model.ts';

/**
 * What an op converter sees. Layout rule, as in the TF.js converter: every
 * rank-4 activation is stored NCHW in the ONNX graph, while `Value.shape`
 * keeps TFLite's logical NHWC shape, so TFLite's options and declared shapes
 * are read against the layout they were written for.
 */
export interface Value {
  /** The ONNX tensor name. */
  name: string;
  /** TFLite's logical shape (NHWC for rank 4). */
  shape: number[];
}

/** A constant tensor after conversion-time dequantization. */
export interface Constant {
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface OpContext {
  readonly op: TfliteOperator;
  readonly b: OnnxGraphBuilder;
  /** The first output tensor as TFLite declares it (its shape is checked against ours). */
  readonly output: TfliteTensor;
  /** Input `i` as a computed tensor; a constant there is an error. */
  value(i: number): Value;
  /** Input `i`, which must be a constant (weights, bias, sizes). */
  constant(i: number, role: string): Constant;
  /** A fresh ONNX name for an intermediate of this operator. */
  name(suffix?: string): string;
}

export type OpConverter = (ctx: OpContext) => Value;

/** The error for anything the converter cannot express; names the op and its output tensor. */
export function unsupported(ctx: Pick<OpContext, 'op' | 'output'>, detail: string): FramewireError {
  return new FramewireError(
    'MODEL_INVALID',
    `cannot convert TFLite op ${ctx.op.op} (output "${ctx.output.name}"): ${detail}`,
    {
      hint: 'the TFLite-to-ONNX converter handles only the ops of the embedded selfie segmenter',
    },
  );
}

export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];
