import { samePads } from '../tfjs/ops-conv.ts';
import { fuseActivation } from './activation.ts';
import {
  type Constant,
  type OpContext,
  type OpConverter,
  unsupported,
  type Value,
} from './context.ts';
import {
  type ConvOptions,
  conv2dOptions,
  depthwiseOptions,
  type Padding,
  poolOptions,
  transposeConvOptions,
} from './options.ts';

/**
 * TFLite's NHWC convolutions and pooling as ONNX NCHW Conv, ConvTranspose and
 * AveragePool. TFLite filters are OHWI (depthwise: 1·H·W·C·M); ONNX wants
 * OIHW, so weights are reordered here, once, at conversion time.
 */

/** Pads as ONNX wants them ([top, left, bottom, right]) for TFLite's SAME or VALID. */
function pads(x: Value, kernel: [number, number], o: ConvOptions): number[] {
  if (o.padding === 'VALID') return [0, 0, 0, 0];
  const ph = samePads(x.shape[1]!, kernel[0], o.strides[0], o.dilations[0]);
  const pw = samePads(x.shape[2]!, kernel[1], o.strides[1], o.dilations[1]);
  return [ph[0]!, pw[0]!, ph[1]!, pw[1]!];
}

function input4d(ctx: OpContext): Value {
  const x = ctx.value(0);
  if (x.shape.length !== 4) throw unsupported(ctx, `input of rank ${x.shape.length}`);
  return x;
}

function checkStrides(ctx: OpContext, strides: [number, number]): void {
  if (!(strides[0] > 0 && strides[1] > 0)) throw unsupported(ctx, `strides ${strides}`);
}

/**
 * Reorders an [A, KH, KW, B] filter into ONNX's [outer, outer, KH, KW]: `dims` gives
 * the ONNX shape, `place(a, b)` the flat index of (a, b) over the two outer axes.
 */
function reorderFilter(
  f: Constant,
  dims: (a: number, b: number, kh: number, kw: number) => number[],
  place: (a: number, b: number) => number,
): { dims: number[]; data: Float32Array } {
  const [a, kh, kw, bb] = f.shape as [number, number, number, number];
  const out = new Float32Array(f.data.length);
  for (let i = 0; i < a; i++)
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let j = 0; j < bb; j++) {
          out[(place(i, j) * kh + y) * kw + x] = f.data[((i * kh + y) * kw + x) * bb + j]!;
        }
  return { dims: dims(a, bb, kh, kw), data: out };
}

/** The output shape TFLite declares must be the one ONNX will compute; a mismatch means a misread option. */
function declared(ctx: OpContext, shape: number[]): number[] {
  const want = ctx.output.shape;
  if (want.length !== shape.length || want.some((d, i) => d !== shape[i])) {
    throw unsupported(ctx, `computed output [${shape}] but the model declares [${want}]`);
  }
  return shape;
}

function outSize(size: number, k: number, s: number, d: number, pad: Padding): number {
  return pad === 'SAME' ? Math.ceil(size / s) : Math.floor((size - ((k - 1) * d + 1)) / s) + 1;
}

function biasOf(ctx: OpContext, channels: number): string | undefined {
  if (ctx.op.inputs.length < 3 || ctx.op.inputs[2]! < 0) return undefined;
  const bias = ctx.constant(2, 'bias');
  if (bias.data.length !== channels) {
    throw unsupported(ctx, `bias of ${bias.data.length} values for ${channels} channels`);
  }
  return ctx.b.floats(`${ctx.output.name}/bias`, [channels], Float32Array.from(bias.data));
}

const conv2d: OpConverter = (ctx) => {
  const x = input4d(ctx);
  const o = conv2dOptions(ctx.op.options);
  checkStrides(ctx, o.strides);
  const f = ctx.constant(1, 'filter');
  const [cout, kh, kw, cin] = f.shape as [number, number, number, number];
  if (f.shape.length !== 4 || cin !== x.shape[3]) {
    throw unsupported(ctx, `filter [${f.shape}] for input [${x.shape}]`);
  }
  // OHWI → OIHW.
  const w = reorderFilter(
    f,
    (a, b, h, k) => [a, b, h, k],
    (oc, ic) => oc * cin + ic,
  );
  return emitConv(ctx, x, o, w, 1, biasOf(ctx, cout), [kh, kw], cout);
};

const depthwise: OpConverter = (ctx) => {
  const x = input4d(ctx);
  const o = depthwiseOptions(ctx.op.options);
  checkStrides(ctx, o.strides);
  const f = ctx.constant(1, 'filter');
  const [one, kh, kw, cm] = f.shape as [number, number, number, number];
  const cin = x.shape[3]!;
  if (f.shape.length !== 4 || one !== 1 || cm % cin !== 0) {
    throw unsupported(ctx, `depthwise filter [${f.shape}] for input [${x.shape}]`);
  }
  // [1, KH, KW, C·M] → [C·M, 1, KH, KW]: output channel c·M + m reads input channel c, as ONNX groups do.
  const w = reorderFilter(
    f,
    (_a, b, h, k) => [b, 1, h, k],
    (_one, ch) => ch,
  );
  return emitConv(ctx, x, o, w, cin, biasOf(ctx, cm), [kh, kw], cm);
};

function emitConv(
  ctx: OpContext,
  x: Value,
  o: ConvOptions,
  w: { dims: number[]; data: Float32Array },
  group: number,
  bias: string | undefined,
  kernel: [number, number],
  cout: number,
): Value {
  const shape = declared(ctx, [
    x.shape[0]!,
    outSize(x.shape[1]!, kernel[0], o.strides[0], o.dilations[0], o.padding),
    outSize(x.shape[2]!, kernel[1], o.strides[1], o.dilations[1], o.padding),
    cout,
  ]);
  const weights = ctx.b.floats(`${ctx.output.name}/weights`, w.dims, w.data);
  const out = ctx.name('conv');
  ctx.b.node('Conv', bias ? [x.name, weights, bias] : [x.name, weights], [out], {
    kernel_shape: kernel,
    strides: o.strides,
    dilations: o.dilations,
    pads: pads(x, kernel, o),
    group,
  });
  return fuseActivation(ctx, { name: out, shape }, o.activation);
}

/** SAME padding averages over the real pixels only, as ONNX does with count_include_pad 0. */
const averagePool: OpConverter = (ctx) => {
  const x = input4d(ctx);
  const o = poolOptions(ctx.op.options);
  checkStrides(ctx, o.strides);
  const shape = declared(ctx, [
    x.shape[0]!,
    outSize(x.shape[1]!, o.kernel[0], o.strides[0], 1, o.padding),
    outSize(x.shape[2]!, o.kernel[1], o.strides[1], 1, o.padding),
    x.shape[3]!,
  ]);
  const out = ctx.name('pool');
  ctx.b.node('AveragePool', [x.name], [out], {
    kernel_shape: o.kernel,
    strides: o.strides,
    pads: pads(x, o.kernel, o),
  });
  return fuseActivation(ctx, { name: out, shape }, o.activation);
};

/**
 * MediaPipe's `Convolution2DTransposeBias` (mediapipe/util/tflite/operations):
 * a transposed convolution plus bias with OHWI weights. Its output is
 * `in·stride` (SAME) or `(in−1)·stride + k` (VALID), padded as a forward SAME
 * convolution from that output back to the input would be; ONNX ConvTranspose
 * expresses that as pads trimmed from the full `(in−1)·stride + k` result.
 */
const transposeConvBias: OpConverter = (ctx) => {
  const x = input4d(ctx);
  const o = transposeConvOptions(ctx.op.custom);
  if (!o) throw unsupported(ctx, 'custom options are not TfLiteTransposeConvParams');
  checkStrides(ctx, o.strides);
  const f = ctx.constant(1, 'filter');
  const [cout, kh, kw, cin] = f.shape as [number, number, number, number];
  if (f.shape.length !== 4 || cin !== x.shape[3]) {
    throw unsupported(ctx, `filter [${f.shape}] for input [${x.shape}]`);
  }
  const kernel: [number, number] = [kh, kw];
  const out = [0, 1].map((i) =>
    o.padding === 'SAME'
      ? x.shape[i + 1]! * o.strides[i]!
      : (x.shape[i + 1]! - 1) * o.strides[i]! + kernel[i]!,
  ) as [number, number];
  const onnxPads = [0, 1].map((i) => {
    const before = o.padding === 'SAME' ? samePads(out[i]!, kernel[i]!, o.strides[i]!, 1)[0]! : 0;
    const full = (x.shape[i + 1]! - 1) * o.strides[i]! + kernel[i]!;
    const after = full - out[i]! - before;
    if (after < 0) throw unsupported(ctx, `output ${out[i]} larger than the full result ${full}`);
    return [before, after] as const;
  });
  const shape = declared(ctx, [x.shape[0]!, out[0], out[1], cout]);
  // OHWI → ONNX ConvTranspose's (I, O, KH, KW).
  const w = reorderFilter(
    f,
    (a, b, h, k) => [b, a, h, k],
    (oc, ic) => ic * cout + oc,
  );
  const weights = ctx.b.floats(`${ctx.output.name}/weights`, w.dims, w.data);
  const bias = biasOf(ctx, cout);
  const name = ctx.name('conv_transpose');
  ctx.b.node('ConvTranspose', bias ? [x.name, weights, bias] : [x.name, weights], [name], {
    kernel_shape: kernel,
    strides: o.strides,
    pads: [onnxPads[0]![0], onnxPads[1]![0], onnxPads[0]![1], onnxPads[1]![1]],
  });
  return { name, shape };
};

export const convOps: Record<string, OpConverter> = {
  CONV_2D: conv2d,
  DEPTHWISE_CONV_2D: depthwise,
  AVERAGE_POOL_2D: averagePool,
  Convolution2DTransposeBias: transposeConvBias,
};
