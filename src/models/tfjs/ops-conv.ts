import { attrInt, attrInts, attrString, attrStrings, type TfTensor } from './graph.ts';
import { type OpContext, type OpConverter, unsupported, type Value } from './context.ts';
import { type Activation, emitActivation, FUSABLE_ACTIVATIONS } from './ops-activation.ts';

/**
 * Convolutions and pooling: TF's NHWC ops with HWIO filters become ONNX NCHW
 * Conv / MaxPool with OIHW weights and explicit pads.
 */

/**
 * TF "SAME" padding for one spatial axis. At stride 2 the total is often odd,
 * and TF puts the extra row/column at the end — ONNX's `auto_pad=SAME_UPPER`
 * would agree, but explicit pads keep the intent visible and the graph static.
 */
export function samePads(size: number, kernel: number, stride: number, dilation: number): number[] {
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
}

/** Pads as ONNX wants them: [top, left, bottom, right]; plus the output H and W. */
function spatial(ctx: OpContext, x: Value, w: Window): { pads: number[]; out: [number, number] } {
  const padding = attrString(ctx.node, 'padding');
  const [h, wd] = [x.shape[1]!, x.shape[2]!];
  let ph: number[];
  let pw: number[];
  if (padding === 'SAME') {
    ph = samePads(h, w.kernel[0], w.strides[0], w.dilations[0]);
    pw = samePads(wd, w.kernel[1], w.strides[1], w.dilations[1]);
  } else if (padding === 'VALID') {
    ph = [0, 0];
    pw = [0, 0];
  } else if (padding === 'EXPLICIT') {
    // explicit_paddings holds (before, after) for N, H, W, C in that order.
    const e = attrInts(ctx.node, 'explicit_paddings');
    ph = [e[2] ?? 0, e[3] ?? 0];
    pw = [e[4] ?? 0, e[5] ?? 0];
  } else {
    throw unsupported(ctx.node, `padding "${padding}"`);
  }
  const outSize = (size: number, p: number[], i: 0 | 1): number =>
    Math.floor((size + p[0]! + p[1]! - ((w.kernel[i] - 1) * w.dilations[i] + 1)) / w.strides[i]) +
    1;
  return { pads: [ph[0]!, pw[0]!, ph[1]!, pw[1]!], out: [outSize(h, ph, 0), outSize(wd, pw, 1)] };
}

/** Strides and dilations from an NHWC attribute list, which must not step over N or C. */
function hw(ctx: OpContext, key: string): [number, number] {
  const v = attrInts(ctx.node, key);
  if (v.length === 0) return [1, 1];
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1) throw unsupported(ctx.node, `${key} ${v}`);
  return [v[1]!, v[2]!];
}

function requireNhwc(ctx: OpContext): Value {
  const format = attrString(ctx.node, 'data_format') ?? 'NHWC';
  if (format !== 'NHWC') throw unsupported(ctx.node, `data_format ${format}`);
  const x = ctx.value(0);
  if (x.shape.length !== 4) throw unsupported(ctx.node, `input of rank ${x.shape.length}`);
  return x;
}

/**
 * What a `_Fused*` node adds after the convolution. `fused_ops` lists them in
 * order; `num_args` counts the extra inputs they consume (1 for BiasAdd).
 */
function fusedTail(ctx: OpContext): { bias: TfTensor | undefined; activations: Activation[] } {
  const ops = attrStrings(ctx.node, 'fused_ops');
  const numArgs = attrInt(ctx.node, 'num_args') ?? 0;
  if (ctx.inputCount !== 2 + numArgs) {
    throw unsupported(ctx.node, `num_args ${numArgs} but ${ctx.inputCount - 2} extra inputs`);
  }
  let bias: TfTensor | undefined;
  const activations: Activation[] = [];
  ops.forEach((op, i) => {
    if (op === 'BiasAdd' && i === 0 && numArgs === 1) {
      bias = ctx.requireConstant(2, 'bias');
    } else if (i > 0 && (FUSABLE_ACTIVATIONS as readonly string[]).includes(op)) {
      activations.push(op as Activation);
    } else {
      throw unsupported(ctx.node, `fused op "${op}" (fused_ops ${ops.join(',')})`);
    }
  });
  if (numArgs > 0 && bias === undefined) throw unsupported(ctx.node, `num_args ${numArgs}`);
  return { bias, activations };
}

/** HWIO (or HW·C·M for depthwise) → OIHW, in the order ONNX Conv reads weights. */
function filterToOihw(f: TfTensor, depthwise: boolean): { dims: number[]; data: Float32Array } {
  const [kh, kw, a, b] = f.shape as [number, number, number, number];
  const out = new Float32Array(f.data.length);
  // Conv2D: O = b (out channels), I = a. Depthwise: O = a·b (channel c, multiplier m → c·b + m), I = 1.
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < a; i++)
        for (let o = 0; o < b; o++) {
          const src = ((y * kw + x) * a + i) * b + o;
          const dst = depthwise ? ((i * b + o) * kh + y) * kw + x : ((o * a + i) * kh + y) * kw + x;
          out[dst] = f.data[src]!;
        }
  return { dims: depthwise ? [a * b, 1, kh, kw] : [b, a, kh, kw], data: out };
}

const conv =
  (depthwise: boolean, fused: boolean): OpConverter =>
  (ctx) => {
    const x = requireNhwc(ctx);
    const filter = ctx.requireConstant(1, 'filter');
    if (filter.shape.length !== 4) throw unsupported(ctx.node, 'filter is not rank 4');
    const [kh, kw, fin] = filter.shape as [number, number, number, number];
    const cin = x.shape[3]!;
    if (fin !== cin)
      throw unsupported(ctx.node, `filter expects ${fin} channels, input has ${cin}`);
    const { bias, activations } = fused
      ? fusedTail(ctx)
      : { bias: undefined, activations: [] as Activation[] };
    const win: Window = {
      kernel: [kh, kw],
      strides: hw(ctx, 'strides'),
      dilations: hw(ctx, 'dilations'),
    };
    const { pads, out } = spatial(ctx, x, win);
    const w = filterToOihw(filter, depthwise);
    const inputs = [x.name, ctx.b.floats(`${ctx.node.name}/weights`, w.dims, w.data)];
    const cout = w.dims[0]!;
    if (bias) {
      if (bias.data.length !== cout) throw unsupported(ctx.node, `bias of ${bias.data.length}`);
      inputs.push(ctx.b.floats(`${ctx.node.name}/bias`, [cout], bias.data as Float32Array));
    }
    let result = ctx.name(activations.length ? 'conv' : undefined);
    ctx.b.node(
      'Conv',
      inputs,
      [result],
      {
        kernel_shape: [kh, kw],
        strides: win.strides,
        dilations: win.dilations,
        pads,
        group: depthwise ? cin : 1,
      },
      ctx.node.name,
    );
    activations.forEach((a, i) => {
      const next = ctx.name(i === activations.length - 1 ? undefined : a.toLowerCase());
      emitActivation(ctx.b, a, result, next);
      result = next;
    });
    return { name: result, shape: [x.shape[0]!, out[0], out[1], cout] };
  };

const maxPool: OpConverter = (ctx) => {
  const x = requireNhwc(ctx);
  const [kh, kw] = hw(ctx, 'ksize');
  const win: Window = { kernel: [kh, kw], strides: hw(ctx, 'strides'), dilations: [1, 1] };
  const { pads, out } = spatial(ctx, x, win);
  const result = ctx.name();
  // ONNX MaxPool ignores padded cells, as TF does: no -inf padding needed.
  ctx.b.node('MaxPool', [x.name], [result], { kernel_shape: [kh, kw], strides: win.strides, pads });
  return { name: result, shape: [x.shape[0]!, out[0], out[1], x.shape[3]!] };
};

export const convOps: Record<string, OpConverter> = {
  Conv2D: conv(false, false),
  _FusedConv2D: conv(false, true),
  DepthwiseConv2dNative: conv(true, false),
  // TF.js writes the fused depthwise op without the leading underscore; accept both spellings.
  FusedDepthwiseConv2dNative: conv(true, true),
  _FusedDepthwiseConv2dNative: conv(true, true),
  MaxPool: maxPool,
};
