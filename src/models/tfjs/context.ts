import { FramewireError } from '../../core/errors.ts';
import type { TfNode, TfTensor } from './graph.ts';
import type { OnnxGraphBuilder } from './onnx-writer.ts';

/**
 * What an op converter sees. Layout rule for the whole converter: every rank-4
 * activation is stored NCHW in the ONNX graph (what ONNX Conv wants), while
 * `Value.shape` stays TF's logical NHWC shape, so TF attributes (axes, sizes,
 * strides) are read against the shape they were written for.
 */
export interface Value {
  /** The ONNX tensor name. */
  name: string;
  /** TF's logical shape (NHWC for rank 4). */
  shape: number[];
}

export interface OpContext {
  readonly node: TfNode;
  readonly b: OnnxGraphBuilder;
  /** Data inputs (control edges removed), as written in the TF node. */
  readonly inputCount: number;
  /** Input `i` as a computed tensor; a constant there is an error. */
  value(i: number): Value;
  /** Input `i` if it is a constant, else undefined. */
  constant(i: number): TfTensor | undefined;
  /** Input `i`, which must be a constant (weights, axes, sizes). */
  requireConstant(i: number, role: string): TfTensor;
  /** A fresh ONNX name for an intermediate of this node. */
  name(suffix?: string): string;
}

export type OpConverter = (ctx: OpContext) => Value;

/** The error for anything the converter cannot express; names the op and the node. */
export function unsupported(node: TfNode, detail: string): FramewireError {
  return new FramewireError(
    'MODEL_INVALID',
    `cannot convert TF node "${node.name}" (op ${node.op}): ${detail}`,
    { hint: 'the TF.js-to-ONNX converter handles only the ops of the embedded default detector' },
  );
}

/** NHWC axis → NCHW axis for rank-4 tensors; other ranks keep TF order. */
export function onnxAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return rank === 4 ? ([0, 2, 3, 1][a] as number) : a;
}

/** The shape as stored in ONNX (NCHW for rank 4). */
export function onnxShape(shape: number[]): number[] {
  return shape.length === 4 ? [shape[0]!, shape[3]!, shape[1]!, shape[2]!] : [...shape];
}

export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];
