/**
 * What the converter refuses, and how it says so: the error names the op and
 * the node, so a user (or the next engineer) knows what to add.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FramewireError } from '../src/core/errors.ts';
import { convertTfjsGraph } from '../src/models/tfjs/convert.ts';
import { readTfjsGraph } from '../src/models/tfjs/graph.ts';
import { attr, type TinyModel, tinyGraph, tinyModel } from './models-tfjs-helpers.ts';

const conv = (fused: string[]) => ({
  name: 'head/conv',
  op: '_FusedConv2D',
  input: ['x', 'w', 'b'],
  attr: {
    strides: attr.ints([1, 1, 1, 1]),
    padding: attr.s('SAME'),
    data_format: attr.s('NHWC'),
    fused_ops: attr.ss(fused),
    num_args: attr.i(1),
  },
});
const convWeights = [
  { name: 'w', shape: [1, 1, 2, 2], data: [1, 0, 0, 1] },
  { name: 'b', shape: [2], data: [0, 0] },
];

/** Converts and returns the error it throws (failing the test if it does not). */
async function conversionError(model: TinyModel, outputs = ['y']): Promise<FramewireError> {
  try {
    convertTfjsGraph(await tinyGraph(model), { outputs });
  } catch (err) {
    assert.instance(err, FramewireError);
    return err as FramewireError;
  }
  assert.unreachable('conversion did not fail');
  throw new Error('unreachable');
}

test('an unsupported op in a model.json on disk names the op and the node', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'framewire-tfjs-'));
  try {
    const model = tinyModel(
      [1, 4, 4, 2],
      [{ name: 'block/softplus', op: 'Softplus', input: ['x'], attr: { T: attr.float } }],
      [],
    );
    await writeFile(join(dir, 'model.json'), JSON.stringify(model.json));
    await writeFile(join(dir, 'weights.bin'), model.bin);
    const graph = await readTfjsGraph(join(dir, 'model.json'));
    assert.throws(
      () => convertTfjsGraph(graph, { outputs: ['block/softplus'] }),
      (err: unknown) =>
        err instanceof FramewireError &&
        err.code === 'MODEL_INVALID' &&
        err.message.includes('"block/softplus"') &&
        err.message.includes('op Softplus') &&
        /unsupported op; supported: .*Conv2D/.test(err.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an unsupported fused activation names the fused op', async () => {
  const err = await conversionError(
    tinyModel([1, 3, 3, 2], [conv(['BiasAdd', 'LeakyRelu'])], convWeights),
    ['head/conv'],
  );
  assert.match(err.message, /"head\/conv" \(op _FusedConv2D\): fused op "LeakyRelu"/);
});

test('a fused batch norm (four extra inputs) is refused, not mis-read as a bias', async () => {
  const node = { ...conv(['FusedBatchNorm']), attr: { ...conv([]).attr, num_args: attr.i(4) } };
  const err = await conversionError(tinyModel([1, 3, 3, 2], [node], convWeights), ['head/conv']);
  assert.match(err.message, /num_args 4 but 1 extra inputs/);
});

test('ops after the requested outputs are never visited (the post-processing head is cut off)', async () => {
  const model = tinyModel(
    [1, 3, 3, 2],
    [
      { name: 'y', op: 'Relu', input: ['x'], attr: { T: attr.float } },
      { name: 'top', op: 'TopKV2', input: ['y', 'k'], attr: { T: attr.float } },
    ],
    [{ name: 'k', shape: [], dtype: 'int32', data: [3] }],
  );
  const result = convertTfjsGraph(await tinyGraph(model), { outputs: ['y'] });
  assert.equal(result.ops, { Placeholder: 1, Relu: 1 });
  const err = await conversionError(model, ['top']);
  assert.match(err.message, /op TopKV2/);
});

test('a computed resize size is refused (only constant sizes are expressible statically)', async () => {
  const model = tinyModel(
    [1, 3, 3, 2],
    [
      { name: 'size', op: 'Shape', input: ['x'] },
      { name: 'y', op: 'ResizeBilinear', input: ['x', 'size'], attr: { T: attr.float } },
    ],
    [],
  );
  const err = await conversionError(model);
  assert.match(err.message, /"y" \(op ResizeBilinear\): size \(input 1\) must be a constant/);
});

test('a dangling input names the reading node and the missing one', async () => {
  const model = tinyModel(
    [1, 3, 3, 2],
    [{ name: 'y', op: 'Relu', input: ['nowhere'], attr: { T: attr.float } }],
    [],
  );
  const err = await conversionError(model);
  assert.match(err.message, /node "y" reads missing "nowhere"/);
});

test.run();
