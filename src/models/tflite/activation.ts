import type { OnnxGraphBuilder } from '../tfjs/onnx-writer.ts';
import { type OpContext, unsupported, type Value } from './context.ts';
import type { FusedActivation } from './options.ts';

/**
 * Applies an op's fused activation (schema.fbs ActivationFunctionType) after
 * the ONNX node that computed `v`: NONE, RELU, RELU_N1_TO_1, RELU6 and TANH.
 */
export function fuseActivation(ctx: OpContext, v: Value, activation: FusedActivation): Value {
  if (activation === 0) return v;
  const out = ctx.name(['', 'relu', 'relu_n1_to_1', 'relu6', 'tanh'][activation] ?? 'act');
  if (activation === 1) ctx.b.node('Relu', [v.name], [out]);
  else if (activation === 2) clip(ctx.b, v.name, out, -1, 1);
  else if (activation === 3) clip(ctx.b, v.name, out, 0, 6);
  else if (activation === 4) ctx.b.node('Tanh', [v.name], [out]);
  else throw unsupported(ctx, `fused activation ${activation}`);
  return { name: out, shape: v.shape };
}

function clip(b: OnnxGraphBuilder, x: string, out: string, lo: number, hi: number): void {
  b.node('Clip', [x, b.floats('clip_min', [], [lo]), b.floats('clip_max', [], [hi])], [out]);
}
