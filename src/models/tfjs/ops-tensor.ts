import { attrBool, type TfTensor } from './graph.ts';
import {
  type OpContext,
  type OpConverter,
  onnxAxis,
  onnxShape,
  TO_NHWC,
  unsupported,
  type Value,
} from './context.ts';

/**
 * Elementwise arithmetic, reductions, concatenation, resizing and Identity.
 * The work here is mostly layout: TF axes and broadcast shapes are NHWC, the
 * stored tensors NCHW (see context.ts).
 */

/** numpy-style broadcast of two TF shapes. */
function broadcast(node: OpContext['node'], a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw unsupported(node, `cannot broadcast ${a} with ${b}`);
    out.push(Math.max(x, y));
  }
  return out;
}

/**
 * A constant operand laid out to broadcast against a tensor of rank `rank`:
 * scalars stay scalars; against rank 4 the constant is right-aligned to NHWC
 * (numpy rules) and then transposed to NCHW like the activations.
 */
function constantOperand(ctx: OpContext, c: TfTensor, rank: number, role: string): string {
  if (c.dtype !== 'float32') throw unsupported(ctx.node, `${role} is ${c.dtype}, not float32`);
  const data = c.data as Float32Array;
  if (data.length === 1) return ctx.b.floats(`${ctx.node.name}/${role}`, [], data);
  if (rank !== 4) return ctx.b.floats(`${ctx.node.name}/${role}`, c.shape, data);
  if (c.shape.length > 4) throw unsupported(ctx.node, `${role} of rank ${c.shape.length}`);
  const s = [...Array(4 - c.shape.length).fill(1), ...c.shape] as [number, number, number, number];
  const [n, h, w, ch] = s;
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < ch; k++)
          out[((i * ch + k) * h + y) * w + x] = data[((i * h + y) * w + x) * ch + k]!;
  return ctx.b.floats(`${ctx.node.name}/${role}`, [n, ch, h, w], out);
}

const binary =
  (onnxOp: string): OpConverter =>
  (ctx) => {
    const [ca, cb] = [ctx.constant(0), ctx.constant(1)];
    if (ca && cb) throw unsupported(ctx.node, 'both inputs are constants (no constant folding)');
    let a: Value;
    let b: Value;
    if (ca) {
      b = ctx.value(1);
      a = { name: constantOperand(ctx, ca, b.shape.length, 'x'), shape: ca.shape };
    } else if (cb) {
      a = ctx.value(0);
      b = { name: constantOperand(ctx, cb, a.shape.length, 'y'), shape: cb.shape };
    } else {
      a = ctx.value(0);
      b = ctx.value(1);
      // Two activations broadcast identically in both layouts only at equal rank.
      if (a.shape.length !== b.shape.length) {
        throw unsupported(ctx.node, `inputs of rank ${a.shape.length} and ${b.shape.length}`);
      }
    }
    const shape = broadcast(ctx.node, a.shape, b.shape);
    if (shape.length !== Math.max(ca ? 0 : a.shape.length, cb ? 0 : b.shape.length)) {
      throw unsupported(ctx.node, 'a constant raises the rank of the result');
    }
    const out = ctx.name();
    ctx.b.node(onnxOp, [a.name, b.name], [out], {}, ctx.node.name);
    return { name: out, shape };
  };

/** Axes from a constant int input, normalized to non-negative TF axes. */
function axesOf(ctx: OpContext, i: number, rank: number): number[] {
  const c = ctx.requireConstant(i, 'axes');
  if (c.dtype !== 'int32') throw unsupported(ctx.node, 'axes are not int32');
  return [...c.data].map((a) => (a < 0 ? a + rank : a));
}

const mean: OpConverter = (ctx) => {
  const x = ctx.value(0);
  const rank = x.shape.length;
  const axes = axesOf(ctx, 1, rank);
  const keep = attrBool(ctx.node, 'keep_dims');
  const shape = keep
    ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !axes.includes(i));
  const out = ctx.name();
  if (keep || rank !== 4) {
    ctx.b.node('ReduceMean', [x.name], [out], {
      axes: axes.map((a) => onnxAxis(a, rank)),
      keepdims: keep ? 1 : 0,
    });
    return { name: out, shape };
  }
  // Dropping axes of a rank-4 tensor leaves a tensor with no NCHW convention:
  // go back to NHWC first so the result is in TF order.
  const nhwc = ctx.name('nhwc');
  ctx.b.node('Transpose', [x.name], [nhwc], { perm: TO_NHWC });
  ctx.b.node('ReduceMean', [nhwc], [out], { axes, keepdims: 0 });
  return { name: out, shape };
};

const concat: OpConverter = (ctx) => {
  const n = ctx.inputCount - 1;
  const parts = Array.from({ length: n }, (_, i) => ctx.value(i));
  const rank = parts[0]!.shape.length;
  const [axis] = axesOf(ctx, n, rank);
  if (axis === undefined || parts.some((p) => p.shape.length !== rank)) {
    throw unsupported(ctx.node, 'inputs of different ranks');
  }
  const shape = [...parts[0]!.shape];
  shape[axis] = parts.reduce((s, p) => s + p.shape[axis]!, 0);
  const out = ctx.name();
  ctx.b.node(
    'Concat',
    parts.map((p) => p.name),
    [out],
    { axis: onnxAxis(axis, rank) },
  );
  return { name: out, shape };
};

/**
 * TF's ResizeBilinear maps output pixel o to input o·scale (legacy, the
 * default), (o + 0.5)·scale − 0.5 with half_pixel_centers, or o·(in−1)/(out−1)
 * with align_corners — ONNX's `asymmetric`, `half_pixel` and `align_corners`.
 */
const resizeBilinear: OpConverter = (ctx) => {
  const x = ctx.value(0);
  if (x.shape.length !== 4) throw unsupported(ctx.node, 'input is not rank 4');
  const size = ctx.requireConstant(1, 'size');
  const [h, w] = [...size.data];
  if (size.dtype !== 'int32' || h === undefined || w === undefined) {
    throw unsupported(ctx.node, 'size is not two int32 values');
  }
  const alignCorners = attrBool(ctx.node, 'align_corners');
  const halfPixel = attrBool(ctx.node, 'half_pixel_centers');
  if (alignCorners && halfPixel)
    throw unsupported(ctx.node, 'align_corners with half_pixel_centers');
  const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
  const shape = [x.shape[0]!, h, w, x.shape[3]!];
  const sizes = ctx.b.int64s(`${ctx.node.name}/sizes`, [4], onnxShape(shape));
  const out = ctx.name();
  // roi and scales are optional inputs, given as empty names when `sizes` is used.
  ctx.b.node(
    'Resize',
    [x.name, '', '', sizes],
    [out],
    {
      mode: 'linear',
      coordinate_transformation_mode: mode,
    },
    ctx.node.name,
  );
  return { name: out, shape };
};

export const tensorOps: Record<string, OpConverter> = {
  Add: binary('Add'),
  AddV2: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  RealDiv: binary('Div'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  Mean: mean,
  ConcatV2: concat,
  ResizeBilinear: resizeBilinear,
  // Identity adds nothing to the ONNX graph: the value is passed through by name.
  Identity: (ctx) => ctx.value(0),
};
