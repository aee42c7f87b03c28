import { fuseActivation } from './activation.ts';
import { type OpContext, type OpConverter, unsupported, type Value } from './context.ts';
import { elementwiseActivation, resizeOptions } from './options.ts';

/**
 * Element-wise ops and resizing. Broadcasting reads the same under NHWC and
 * NCHW as long as both operands are rank 4 (both are transposed alike), so
 * ADD and MUL keep ONNX's own broadcasting; lower ranks are refused.
 */

function sameRank(ctx: OpContext, a: Value, b: Value): number[] {
  if (a.shape.length !== b.shape.length) {
    throw unsupported(ctx, `operands of rank ${a.shape.length} and ${b.shape.length}`);
  }
  return a.shape.map((d, i) => {
    const e = b.shape[i]!;
    if (d !== e && d !== 1 && e !== 1)
      throw unsupported(ctx, `shapes [${a.shape}] and [${b.shape}]`);
    return Math.max(d, e);
  });
}

const binary =
  (onnxOp: 'Add' | 'Mul'): OpConverter =>
  (ctx) => {
    const a = ctx.value(0);
    const b = ctx.value(1);
    const shape = sameRank(ctx, a, b);
    const out = ctx.name(onnxOp.toLowerCase());
    ctx.b.node(onnxOp, [a.name, b.name], [out]);
    return fuseActivation(ctx, { name: out, shape }, elementwiseActivation(ctx.op.options));
  };

const unary =
  (onnxOp: string): OpConverter =>
  (ctx) => {
    const x = ctx.value(0);
    const out = ctx.name(onnxOp.toLowerCase());
    ctx.b.node(onnxOp, [x.name], [out]);
    return { name: out, shape: x.shape };
  };

/** x · relu6(x + 3) / 6, written as x · HardSigmoid(x) with α = 1/6, β = 1/2 (opset 13 has no HardSwish). */
const hardSwish: OpConverter = (ctx) => {
  const x = ctx.value(0);
  const gate = ctx.name('gate');
  ctx.b.node('HardSigmoid', [x.name], [gate], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
  const out = ctx.name('hard_swish');
  ctx.b.node('Mul', [x.name, gate], [out]);
  return { name: out, shape: x.shape };
};

/**
 * TFLite's flags map onto ONNX coordinate modes: align_corners → align_corners,
 * half_pixel_centers → half_pixel (TF clamps the source index at 0 as ORT
 * does), neither → asymmetric (`in = out · in_size / out_size`).
 */
const resizeBilinear: OpConverter = (ctx) => {
  const x = ctx.value(0);
  if (x.shape.length !== 4) throw unsupported(ctx, `input of rank ${x.shape.length}`);
  const size = ctx.constant(1, 'size');
  if (size.data.length !== 2) throw unsupported(ctx, `size [${Array.from(size.data)}]`);
  const [h, w] = Array.from(size.data) as [number, number];
  const o = resizeOptions(ctx.op.options);
  const mode = o.alignCorners ? 'align_corners' : o.halfPixelCenters ? 'half_pixel' : 'asymmetric';
  const shape = [x.shape[0]!, h, w, x.shape[3]!];
  const sizes = ctx.b.int64s(`${ctx.output.name}/sizes`, [4], [shape[0]!, shape[3]!, h, w]);
  const out = ctx.name('resize');
  ctx.b.node('Resize', [x.name, '', '', sizes], [out], {
    mode: 'linear',
    coordinate_transformation_mode: mode,
  });
  return { name: out, shape };
};

export const elementwiseOps: Record<string, OpConverter> = {
  ADD: binary('Add'),
  MUL: binary('Mul'),
  RELU: unary('Relu'),
  LOGISTIC: unary('Sigmoid'),
  HARD_SWISH: hardSwish,
  RESIZE_BILINEAR: resizeBilinear,
};
