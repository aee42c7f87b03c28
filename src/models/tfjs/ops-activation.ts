import type { OnnxGraphBuilder } from './onnx-writer.ts';
import type { OpConverter } from './context.ts';

/**
 * Activations, standalone or fused into a convolution (`fused_ops`). They are
 * elementwise, so they work in either layout and never change the shape.
 */

export const FUSABLE_ACTIVATIONS = ['Relu', 'Relu6'] as const;
export type Activation = (typeof FUSABLE_ACTIVATIONS)[number] | 'Sigmoid';

/** Emits `activation(input)` into `output`. */
export function emitActivation(
  b: OnnxGraphBuilder,
  kind: Activation,
  input: string,
  output: string,
): void {
  if (kind === 'Relu6') {
    // Opset ≥ 11 Clip takes its bounds as inputs, not attributes.
    b.node(
      'Clip',
      [input, b.floats('relu6_min', [], [0]), b.floats('relu6_max', [], [6])],
      [output],
    );
    return;
  }
  b.node(kind, [input], [output]);
}

const standalone =
  (kind: Activation): OpConverter =>
  (ctx) => {
    const x = ctx.value(0);
    const out = ctx.name();
    emitActivation(ctx.b, kind, x.name, out);
    return { name: out, shape: x.shape };
  };

export const activationOps: Record<string, OpConverter> = {
  Relu: standalone('Relu'),
  Relu6: standalone('Relu6'),
  Sigmoid: standalone('Sigmoid'),
};
