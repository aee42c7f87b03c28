/**
 * Each converted op against TF.js itself, on tiny hand-made graphs with odd
 * sizes (where TF "SAME" padding is asymmetric) and random weights.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { convertTfjsGraph } from '../src/models/tfjs/convert.ts';
import {
  attr,
  maxAbsDiff,
  pseudoRandom,
  quietTfjs,
  runOrt,
  runTfjs,
  type TinyNode,
  type TinyWeight,
  tinyGraph,
  tinyModel,
} from './models-tfjs-helpers.ts';

quietTfjs();

const random = (name: string, shape: number[], seed: number): TinyWeight => ({
  name,
  shape,
  data: [
    ...pseudoRandom(
      shape.reduce((a, d) => a * d, 1),
      seed,
      -1,
      1,
    ),
  ],
});
const ints = (name: string, data: number[]): TinyWeight => ({
  name,
  shape: [data.length],
  dtype: 'int32',
  data,
});
const conv = (
  op: string,
  input: string[],
  opts: { strides?: number; padding?: string; dilations?: number; fused?: string[] } = {},
): Omit<TinyNode, 'name'> => ({
  op,
  input,
  attr: {
    T: attr.float,
    data_format: attr.s('NHWC'),
    strides: attr.ints([1, opts.strides ?? 1, opts.strides ?? 1, 1]),
    dilations: attr.ints([1, opts.dilations ?? 1, opts.dilations ?? 1, 1]),
    padding: attr.s(opts.padding ?? 'SAME'),
    ...(opts.fused
      ? { fused_ops: attr.ss(opts.fused), num_args: attr.i(input.length - 2), epsilon: { f: 0 } }
      : {}),
  },
});

interface Case {
  what: string;
  input: number[];
  nodes: TinyNode[];
  weights: TinyWeight[];
}

const cases: Case[] = [
  {
    what: 'Conv2D 3×3 stride 2 SAME on 8×10 (pad 0 before, 1 after)',
    input: [1, 8, 10, 3],
    nodes: [{ name: 'y', ...conv('Conv2D', ['x', 'w'], { strides: 2 }) }],
    weights: [random('w', [3, 3, 3, 4], 1)],
  },
  {
    what: 'Conv2D 3×3 VALID with dilation 2',
    input: [1, 9, 8, 2],
    nodes: [{ name: 'y', ...conv('Conv2D', ['x', 'w'], { padding: 'VALID', dilations: 2 }) }],
    weights: [random('w', [3, 3, 2, 5], 2)],
  },
  {
    what: '_FusedConv2D 4×4 stride 2 SAME (even kernel) with BiasAdd',
    input: [1, 9, 10, 3],
    nodes: [
      { name: 'y', ...conv('_FusedConv2D', ['x', 'w', 'b'], { strides: 2, fused: ['BiasAdd'] }) },
    ],
    weights: [random('w', [4, 4, 3, 2], 3), random('b', [2], 4)],
  },
  {
    what: '_FusedConv2D 1×1 with BiasAdd, Relu',
    input: [1, 5, 5, 4],
    nodes: [
      { name: 'y', ...conv('_FusedConv2D', ['x', 'w', 'b'], { fused: ['BiasAdd', 'Relu'] }) },
    ],
    weights: [random('w', [1, 1, 4, 6], 5), random('b', [6], 6)],
  },
  {
    what: '_FusedConv2D 3×3 with BiasAdd, Relu6 (inputs scaled to reach 6)',
    input: [1, 6, 6, 2],
    nodes: [
      { name: 'x10', op: 'Mul', input: ['x', 'ten'], attr: { T: attr.float } },
      { name: 'y', ...conv('_FusedConv2D', ['x10', 'w', 'b'], { fused: ['BiasAdd', 'Relu6'] }) },
    ],
    weights: [
      { name: 'ten', shape: [], data: [10] },
      random('w', [3, 3, 2, 3], 7),
      random('b', [3], 8),
    ],
  },
  {
    what: 'DepthwiseConv2dNative 3×3 stride 2 SAME, channel multiplier 2',
    input: [1, 7, 8, 3],
    nodes: [{ name: 'y', ...conv('DepthwiseConv2dNative', ['x', 'w'], { strides: 2 }) }],
    weights: [random('w', [3, 3, 3, 2], 9)],
  },
  {
    what: 'FusedDepthwiseConv2dNative 5×5 stride 2 with BiasAdd, Relu (rows pad 1+2)',
    input: [1, 10, 9, 4],
    nodes: [
      {
        name: 'y',
        ...conv('FusedDepthwiseConv2dNative', ['x', 'w', 'b'], {
          strides: 2,
          fused: ['BiasAdd', 'Relu'],
        }),
      },
    ],
    weights: [random('w', [5, 5, 4, 1], 10), random('b', [4], 11)],
  },
  {
    what: 'MaxPool 3×3 stride 2 SAME (padded cells never win)',
    input: [1, 7, 6, 2],
    nodes: [
      { name: 'neg', op: 'Sub', input: ['zero', 'x'], attr: { T: attr.float } },
      {
        name: 'y',
        op: 'MaxPool',
        input: ['neg'],
        attr: {
          T: attr.float,
          ksize: attr.ints([1, 3, 3, 1]),
          strides: attr.ints([1, 2, 2, 1]),
          padding: attr.s('SAME'),
          data_format: attr.s('NHWC'),
        },
      },
    ],
    weights: [{ name: 'zero', shape: [], data: [0] }],
  },
  ...(
    [
      ['legacy (asymmetric)', false, false, [8, 10]],
      ['align_corners', true, false, [7, 9]],
      ['half_pixel_centers', false, true, [9, 7]],
    ] as const
  ).map(
    ([mode, alignCorners, halfPixel, size]): Case => ({
      what: `ResizeBilinear ${mode} 4×5 → ${size.join('×')}`,
      input: [1, 4, 5, 3],
      nodes: [
        {
          name: 'y',
          op: 'ResizeBilinear',
          input: ['x', 'size'],
          attr: {
            T: attr.float,
            align_corners: attr.b(alignCorners),
            half_pixel_centers: attr.b(halfPixel),
          },
        },
      ],
      weights: [ints('size', [...size])],
    }),
  ),
  {
    what: 'Mean over H, W with keep_dims, then Mul broadcasting back (squeeze-excite shape)',
    input: [1, 5, 6, 4],
    nodes: [
      {
        name: 'm',
        op: 'Mean',
        input: ['x', 'axes'],
        attr: { T: attr.float, keep_dims: attr.b(true) },
      },
      { name: 'y', op: 'Mul', input: ['x', 'm'], attr: { T: attr.float } },
    ],
    weights: [ints('axes', [1, 2])],
  },
  {
    what: 'Mean over H, W without keep_dims (rank-2 result in TF order)',
    input: [1, 5, 6, 4],
    nodes: [
      {
        name: 'y',
        op: 'Mean',
        input: ['x', 'axes'],
        attr: { T: attr.float, keep_dims: attr.b(false) },
      },
    ],
    weights: [ints('axes', [-3, 2])],
  },
  {
    what: 'ConcatV2 on the channel axis (-1) of Relu6 and Sigmoid branches',
    input: [1, 3, 4, 2],
    nodes: [
      { name: 'x4', op: 'Mul', input: ['four', 'x'], attr: { T: attr.float } },
      { name: 'a', op: 'Relu6', input: ['x4'], attr: { T: attr.float } },
      { name: 'b', op: 'Sigmoid', input: ['x'], attr: { T: attr.float } },
      {
        name: 'y',
        op: 'ConcatV2',
        input: ['a', 'b', 'axis'],
        attr: { T: attr.float, N: attr.i(2) },
      },
    ],
    weights: [{ name: 'four', shape: [], data: [4] }, ints('axis', [-1])],
  },
  {
    what: 'ConcatV2 on the width axis (2)',
    input: [1, 3, 4, 2],
    nodes: [
      { name: 'a', op: 'Relu', input: ['x'], attr: { T: attr.float } },
      {
        name: 'y',
        op: 'ConcatV2',
        input: ['x', 'a', 'axis'],
        attr: { T: attr.float, N: attr.i(2) },
      },
    ],
    weights: [ints('axis', [2])],
  },
  {
    what: 'Mul by a per-channel [C] constant, Add a scalar, AddV2 of two tensors, Identity',
    input: [1, 4, 3, 5],
    nodes: [
      { name: 'm', op: 'Mul', input: ['x', 'scale'], attr: { T: attr.float } },
      { name: 'a', op: 'Add', input: ['three', 'm'], attr: { T: attr.float } },
      { name: 's', op: 'AddV2', input: ['a', 'x'], attr: { T: attr.float } },
      { name: 'y', op: 'Identity', input: ['s'], attr: { T: attr.float } },
    ],
    weights: [random('scale', [5], 12), { name: 'three', shape: [], data: [3] }],
  },
  {
    what: 'Mul by a [1,1,W,C] constant (rank-4 constant transposed like activations)',
    input: [1, 2, 3, 4],
    nodes: [{ name: 'y', op: 'Mul', input: ['x', 'k'], attr: { T: attr.float } }],
    weights: [random('k', [1, 1, 3, 4], 13)],
  },
];

for (const c of cases) {
  test(c.what, async () => {
    const model = tinyModel(c.input, c.nodes, c.weights);
    const input = pseudoRandom(
      c.input.reduce((a, d) => a * d, 1),
      c.input.length * 31 + c.nodes.length,
      -2,
      2,
    );
    const { onnx, outputs } = convertTfjsGraph(await tinyGraph(model), { outputs: ['y'] });
    const [expected] = await runTfjs(model.json, model.bin, input, c.input, ['y']);
    const [actual] = await runOrt(onnx, 'x', input, c.input, ['y']);
    assert.ok(expected && actual);
    assert.is(actual.length, expected.length, 'output size');
    assert.ok(outputs[0]!.dims.reduce((a, d) => a * d, 1) === expected.length, 'declared shape');
    const diff = maxAbsDiff(actual, expected);
    assert.ok(diff < 1e-5, `max abs diff ${diff}`);
  });
}

test.run();
