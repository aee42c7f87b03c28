/**
 * The pieces the numerics depend on, as tables: TF "SAME" padding, float16
 * decoding, weight-manifest reading.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { halfToFloat, parseInputRef, parseTfjsGraph } from '../src/models/tfjs/graph.ts';
import { samePads } from '../src/models/tfjs/ops-conv.ts';

const padCases: [string, [number, number, number, number], number[]][] = [
  // [why, [size, kernel, stride, dilation], [before, after]]
  ['stride 1, 3×3: symmetric', [512, 3, 1, 1], [1, 1]],
  ['stride 2, 3×3, even size: the extra row goes after', [512, 3, 2, 1], [0, 1]],
  ['stride 2, 3×3, odd size: symmetric', [7, 3, 2, 1], [1, 1]],
  ['stride 2, 5×5, even size', [64, 5, 2, 1], [1, 2]],
  ['stride 2, 4×4 even kernel', [9, 4, 2, 1], [1, 2]],
  ['1×1 never pads', [33, 1, 2, 1], [0, 0]],
  ['dilation 2 widens a 3×3 to 5', [10, 3, 1, 2], [2, 2]],
  ['kernel smaller than stride: pad clamps at zero', [8, 1, 4, 1], [0, 0]],
];
for (const [why, [size, k, s, d], expected] of padCases) {
  test(`samePads: ${why}`, () => assert.equal(samePads(size, k, s, d), expected));
}

const halfCases: [string, number, number][] = [
  ['one', 0x3c00, 1],
  ['minus two', 0xc000, -2],
  ['largest normal', 0x7bff, 65504],
  ['smallest normal', 0x0400, 2 ** -14],
  ['smallest subnormal', 0x0001, 2 ** -24],
  ['a subnormal', 0x0200, 2 ** -15],
  ['1/6 as TF.js stores it', 0x3155, 0.1666259765625],
  ['infinity', 0x7c00, Number.POSITIVE_INFINITY],
  ['minus zero', 0x8000, -0],
];
for (const [what, bits, value] of halfCases) {
  test(`halfToFloat: ${what}`, () => assert.is(halfToFloat(bits), value));
}
test('halfToFloat: NaN', () => assert.ok(Number.isNaN(halfToFloat(0x7e00))));

test('input refs: plain, output index, control edge', () => {
  assert.equal(parseInputRef('a/b'), { node: 'a/b', index: 0, control: false });
  assert.equal(parseInputRef('a/b:1'), { node: 'a/b', index: 1, control: false });
  assert.equal(parseInputRef('^a/b'), { node: 'a/b', index: 0, control: true });
});

const manifest = (weights: object[], paths = ['a.bin']) => ({
  modelTopology: { node: [] },
  weightsManifest: [{ paths, weights }],
});

test('weights: float16-quantized, int32 and float32 entries read in order across shards', async () => {
  const shards: Record<string, Uint8Array> = {
    // 1.0 and -2.0 as float16, then int32 7 split over the shard boundary, then float32 0.5.
    'a.bin': Uint8Array.from([0x00, 0x3c, 0x00, 0xc0, 7, 0]),
    'b.bin': Uint8Array.from([0, 0, 0, 0, 0, 0x3f]),
  };
  const graph = await parseTfjsGraph(
    manifest(
      [
        {
          name: 'h',
          shape: [2],
          dtype: 'float32',
          quantization: { dtype: 'float16', original_dtype: 'float32' },
        },
        { name: 'i', shape: [], dtype: 'int32' },
        { name: 'f', shape: [1], dtype: 'float32' },
      ],
      ['a.bin', 'b.bin'],
    ),
    'm.json',
    async (p) => shards[p]!,
  );
  assert.equal([...graph.weights.get('h')!.data], [1, -2]);
  assert.equal([...graph.weights.get('i')!.data], [7]);
  assert.equal([...graph.weights.get('f')!.data], [0.5]);
});

test('weights: uint8 affine quantization is value·scale + min', async () => {
  const graph = await parseTfjsGraph(
    manifest([
      {
        name: 'q',
        shape: [3],
        dtype: 'float32',
        quantization: { dtype: 'uint8', scale: 0.5, min: -1 },
      },
    ]),
    'm.json',
    async () => Uint8Array.from([0, 2, 255]),
  );
  assert.equal([...graph.weights.get('q')!.data], [-1, 0, 126.5]);
});

test('weights: a shard of the wrong size is refused with the model path', async () => {
  const read = (bytes: number[]) =>
    parseTfjsGraph(manifest([{ name: 'f', shape: [2], dtype: 'float32' }]), 'm.json', async () =>
      Uint8Array.from(bytes),
    );
  try {
    await read([0, 0, 0, 0]);
    assert.unreachable('truncated');
  } catch (err) {
    assert.match(String(err), /m\.json: weight "f" is truncated/);
  }
  try {
    await read(new Array(12).fill(0));
    assert.unreachable('oversized');
  } catch (err) {
    assert.match(String(err), /weights use 8 bytes but the shards hold 12/);
  }
});

test.run();
