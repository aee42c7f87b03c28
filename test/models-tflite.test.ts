/**
 * The TFLite reader and converter, op by op: every op kind of the shipped
 * selfie model is cut out of the real file (its real options, weights and
 * shapes), converted alone, run in onnxruntime on pseudo-random input, and
 * compared with the same op computed by TF.js's pure-JS CPU kernels, which
 * work in NHWC and know nothing of ONNX. The ops' options are also checked
 * against what the model's own declared output shapes imply.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selfieSourcePath } from '../src/models/embedded-selfie.ts';
import { convertTflite, SUPPORTED_TFLITE_OPS } from '../src/models/tflite/convert.ts';
import { parseTflite, type TfliteModel, type TfliteOperator } from '../src/models/tflite/model.ts';
import {
  conv2dOptions,
  depthwiseOptions,
  poolOptions,
  resizeOptions,
  transposeConvOptions,
} from '../src/models/tflite/options.ts';
import { fromFloat16Bits } from '../src/models/float16.ts';
import { maxAbsDiff, pseudoRandom, quietTfjs, runOrt } from './models-tfjs-helpers.ts';

quietTfjs();
const bytes = readFileSync(selfieSourcePath());
const model = parseTflite(bytes);

test('the selfie model reads as MediaPipe describes it', () => {
  const input = model.tensors[model.inputs[0]!]!;
  const output = model.tensors[model.outputs[0]!]!;
  assert.equal([input.name, input.shape], ['input_1', [1, 256, 256, 3]]);
  assert.equal([output.name, output.shape], ['activation_10', [1, 256, 256, 1]]);
  assert.match(model.description, /selfiesegmentation/);
  const counts: Record<string, number> = {};
  for (const op of model.operators) counts[op.op] = (counts[op.op] ?? 0) + 1;
  assert.equal(counts, {
    DEQUANTIZE: 110,
    CONV_2D: 43,
    HARD_SWISH: 11,
    RELU: 22,
    DEPTHWISE_CONV_2D: 11,
    AVERAGE_POOL_2D: 10,
    LOGISTIC: 11,
    MUL: 10,
    ADD: 14,
    RESIZE_BILINEAR: 3,
    Convolution2DTransposeBias: 1,
  });
});

/** The float32 value of a constant tensor (float16 bits decoded independently of the converter's path). */
function constant(index: number): { shape: number[]; data: Float32Array | Int32Array } {
  const t = model.tensors[index]!;
  const raw = model.buffers[t.buffer]!;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (t.type === 2) return { shape: t.shape, data: new Int32Array(raw.slice().buffer) };
  if (t.type === 1) {
    return {
      shape: t.shape,
      data: Float32Array.from({ length: raw.byteLength / 2 }, (_, i) =>
        fromFloat16Bits(view.getUint16(2 * i, true)),
      ),
    };
  }
  return { shape: t.shape, data: new Float32Array(raw.slice().buffer) };
}

/** Where a tensor's value comes from: a DEQUANTIZE of a float16 constant, a constant, or computed. */
function producerOf(index: number): TfliteOperator | undefined {
  return model.operators.find((o) => o.outputs[0] === index);
}

function isConstant(index: number): boolean {
  const p = producerOf(index);
  if (p?.op === 'DEQUANTIZE') return true;
  return !p && model.buffers[model.tensors[index]!.buffer]!.byteLength > 0;
}

function constantOf(index: number) {
  const p = producerOf(index);
  return constant(p?.op === 'DEQUANTIZE' ? p.inputs[0]! : index);
}

/** A one-op model: the op, the DEQUANTIZE ops of its weights, its computed inputs as graph inputs. */
function cutOut(op: TfliteOperator): TfliteModel {
  const dequantize = op.inputs
    .filter((i) => i >= 0 && producerOf(i)?.op === 'DEQUANTIZE')
    .map((i) => producerOf(i)!);
  return {
    ...model,
    inputs: op.inputs.filter((i) => i >= 0 && !isConstant(i)),
    outputs: [op.outputs[0]!],
    operators: [...dequantize, op],
  };
}

const fused = (x: tf.Tensor, activation: number): tf.Tensor =>
  activation === 0 ? x : activation === 1 ? tf.relu(x) : activation === 3 ? tf.relu6(x) : x;

/** The op in TF.js, NHWC throughout. */
function reference(op: TfliteOperator, xs: tf.Tensor4D[]): tf.Tensor {
  const x = xs[0]!;
  const weights = () => {
    const w = constantOf(op.inputs[1]!);
    return tf.tensor4d(Float32Array.from(w.data), w.shape as [number, number, number, number]);
  };
  const bias = () => tf.tensor1d(Float32Array.from(constantOf(op.inputs[2]!).data));
  const pad = (p: string) => (p === 'SAME' ? 'same' : 'valid');
  switch (op.op) {
    case 'CONV_2D': {
      const o = conv2dOptions(op.options);
      const hwio = tf.transpose(weights(), [1, 2, 3, 0]) as tf.Tensor4D;
      const y = tf.conv2d(x, hwio, o.strides, pad(o.padding), 'NHWC', o.dilations);
      return fused(tf.add(y, bias()), o.activation);
    }
    case 'DEPTHWISE_CONV_2D': {
      const o = depthwiseOptions(op.options);
      const w = weights();
      const c = x.shape[3];
      const filter = tf.reshape(w, [w.shape[1], w.shape[2], c, w.shape[3] / c]) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(x, filter, o.strides, pad(o.padding), 'NHWC', o.dilations);
      return fused(tf.add(y, bias()), o.activation);
    }
    case 'AVERAGE_POOL_2D': {
      const o = poolOptions(op.options);
      return fused(tf.avgPool(x, o.kernel, o.strides, pad(o.padding)), o.activation);
    }
    case 'ADD':
      return tf.add(x, xs[1]!);
    case 'MUL':
      return tf.mul(x, xs[1]!);
    case 'RELU':
      return tf.relu(x);
    case 'LOGISTIC':
      return tf.sigmoid(x);
    case 'HARD_SWISH':
      return tf.div(tf.mul(x, tf.relu6(tf.add(x, 3))), 6);
    case 'RESIZE_BILINEAR': {
      const o = resizeOptions(op.options);
      const [h, w] = Array.from(constantOf(op.inputs[1]!).data) as [number, number];
      return tf.image.resizeBilinear(x, [h, w], o.alignCorners, o.halfPixelCenters);
    }
    case 'Convolution2DTransposeBias': {
      const o = transposeConvOptions(op.custom)!;
      // OHWI → TF.js's [KH, KW, out, in].
      const filter = tf.transpose(weights(), [1, 2, 0, 3]) as tf.Tensor4D;
      const out = model.tensors[op.outputs[0]!]!.shape as [number, number, number, number];
      const y = tf.conv2dTranspose(x, filter, out, o.strides, pad(o.padding));
      return tf.add(y, bias());
    }
    default:
      throw new Error(`no reference for ${op.op}`);
  }
}

test('each op kind, cut out of the model, matches TF.js within 1e-4 (relative to the output range)', async () => {
  await tf.setBackend('cpu');
  const kinds = [...new Set(model.operators.map((o) => o.op))].filter((k) => k !== 'DEQUANTIZE');
  assert.equal(kinds.length, 10);
  for (const kind of kinds) {
    // The first and the last op of each kind: stride-2 and stride-1 convolutions, both pool sizes, …
    const ops = model.operators.filter((o) => o.op === kind);
    for (const op of new Set([ops[0]!, ops.at(-1)!])) {
      const small = cutOut(op);
      const { onnx, inputs } = convertTflite(small);
      const feeds = inputs.map((d, k) =>
        pseudoRandom(
          d.dims.reduce((a, b) => a * b, 1),
          100 + k,
          -3,
          3,
        ),
      );
      const outName = model.tensors[op.outputs[0]!]!.name;
      let ours: Float32Array;
      if (inputs.length === 1) {
        [ours] = (await runOrt(onnx, inputs[0]!.name, feeds[0]!, inputs[0]!.dims, [outName])) as [
          Float32Array,
        ];
      } else {
        const ort = await import('onnxruntime-node');
        const session = await ort.InferenceSession.create(onnx);
        const result = await session.run(
          Object.fromEntries(
            inputs.map((d, k) => [d.name, new ort.Tensor('float32', feeds[k]!, d.dims)]),
          ),
        );
        ours = result[outName]!.data as Float32Array;
        await session.release();
      }
      const xs = inputs.map((d, k) =>
        tf.tensor4d(feeds[k]!, d.dims as [number, number, number, number]),
      );
      const ref = reference(op, xs);
      const theirs = (await ref.data()) as Float32Array;
      tf.dispose([...xs, ref]);
      assert.equal(ref.shape, model.tensors[op.outputs[0]!]!.shape, `${kind} shape`);
      const range = theirs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const diff = maxAbsDiff(ours, theirs);
      assert.ok(range > 0, `${kind}: the reference output is all zero`);
      console.log(
        `  ${kind} ${outName}: max |Δ| ${diff.toExponential(2)}, |y| ≤ ${range.toFixed(2)}`,
      );
      assert.ok(
        diff <= 1e-4 * Math.max(1, range),
        `${kind} (${outName}): max |Δ| ${diff}, range ${range}`,
      );
    }
  }
});

test('what the options say agrees with the shapes the model declares', () => {
  const first = (kind: string) => model.operators.find((o) => o.op === kind)!;
  // 256 → 128 with a 3×3 kernel: stride 2, SAME.
  assert.equal(conv2dOptions(first('CONV_2D').options), {
    padding: 'SAME',
    strides: [2, 2],
    dilations: [1, 1],
    activation: 0,
  });
  // 64×64 → 1×1: a global average, written as a 64×64 window.
  const pool = poolOptions(first('AVERAGE_POOL_2D').options);
  assert.equal([pool.kernel, pool.padding], [[64, 64], 'VALID']);
  // The custom op's 12 bytes: padding 1 (SAME), stride 2, 2.
  const t = model.operators.find((o) => o.op === 'Convolution2DTransposeBias')!;
  assert.equal(transposeConvOptions(t.custom), { padding: 'SAME', strides: [2, 2] });
});

test('the whole model converts; an unsupported op is refused by name, with the list of supported ones', () => {
  const { ops, outputs } = convertTflite(model);
  assert.is(ops.Convolution2DTransposeBias, 1);
  assert.equal(outputs, [{ name: 'activation_10', dims: [1, 256, 256, 1] }]);
  const renamed = {
    ...model,
    operators: model.operators.map((o, i) => (i === 5 ? { ...o, op: 'MEAN' } : o)),
  };
  try {
    convertTflite(renamed);
    assert.unreachable('converted a MEAN op');
  } catch (err) {
    assert.match((err as Error).message, /ops the converter does not handle: MEAN/);
    const hint = (err as { hint?: string }).hint ?? '';
    for (const op of SUPPORTED_TFLITE_OPS) assert.ok(hint.includes(op), `hint lists ${op}`);
  }
});

test('not a TFLite file, and a truncated one: clear errors, no crash', () => {
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  assert.match(
    message(() => parseTflite(new TextEncoder().encode('{"not":"tflite"}'))),
    /not a TFLite model/,
  );
  assert.match(
    message(() => parseTflite(bytes.subarray(0, 4096))),
    /truncated or corrupt/,
  );
});

test.run();
