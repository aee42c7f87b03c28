/**
 * Shared by the models-tfjs tests: hand-made TF.js graph models in memory, the
 * TF.js reference runner (pure-JS CPU backend, no network) and ORT runs.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { parseTfjsGraph, type TfGraph } from '../src/models/tfjs/graph.ts';

export interface TinyNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

export interface TinyWeight {
  name: string;
  shape: number[];
  dtype?: 'float32' | 'int32';
  data: number[];
}

export interface TinyModel {
  json: {
    format: string;
    modelTopology: { node: TinyNode[]; library: object; versions: object };
    weightsManifest: { paths: string[]; weights: object[] }[];
  };
  bin: Uint8Array;
}

// TF's JSON AttrValue encodings.
export const attr = {
  s: (v: string) => ({ s: Buffer.from(v).toString('base64') }),
  ss: (v: string[]) => ({ list: { s: v.map((x) => Buffer.from(x).toString('base64')) } }),
  ints: (v: number[]) => ({ list: { i: v.map(String) } }),
  i: (v: number) => ({ i: String(v) }),
  b: (v: boolean) => ({ b: v }),
  float: { type: 'DT_FLOAT' },
};

/** A graph model: one float Placeholder `x` of `inputShape`, the given weights as Const nodes. */
export function tinyModel(
  inputShape: number[],
  nodes: TinyNode[],
  weights: TinyWeight[],
): TinyModel {
  const dt = (w: TinyWeight) => (w.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT');
  const consts: TinyNode[] = weights.map((w) => ({
    name: w.name,
    op: 'Const',
    attr: {
      dtype: { type: dt(w) },
      value: { tensor: { dtype: dt(w), tensorShape: { dim: w.shape.map((size) => ({ size })) } } },
    },
  }));
  const placeholder: TinyNode = {
    name: 'x',
    op: 'Placeholder',
    attr: {
      dtype: attr.float,
      shape: { shape: { dim: inputShape.map((d) => ({ size: String(d) })) } },
    },
  };
  const bytes = new Uint8Array(weights.reduce((a, w) => a + w.data.length * 4, 0));
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const w of weights) {
    for (const v of w.data) {
      if (w.dtype === 'int32') view.setInt32(at, v, true);
      else view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return {
    json: {
      format: 'graph-model',
      // TF.js reads versions.producer; any recent GraphDef producer number will do.
      modelTopology: {
        node: [placeholder, ...consts, ...nodes],
        library: {},
        versions: { producer: 440 },
      },
      weightsManifest: [
        {
          paths: ['weights.bin'],
          weights: weights.map((w) => ({
            name: w.name,
            shape: w.shape,
            dtype: w.dtype ?? 'float32',
          })),
        },
      ],
    },
    bin: bytes,
  };
}

export function tinyGraph(model: TinyModel): Promise<TfGraph> {
  return parseTfjsGraph(model.json, 'tiny.json', async () => model.bin);
}

/** Runs a graph model in TF.js from memory: the io handler hands over JSON and weights. */
export async function runTfjs(
  json: { modelTopology: unknown; weightsManifest: { weights: object[] }[]; format?: string },
  bin: Uint8Array,
  input: Float32Array,
  inputShape: number[],
  outputs: string[],
): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  const weightData = bin.buffer.slice(
    bin.byteOffset,
    bin.byteOffset + bin.byteLength,
  ) as ArrayBuffer;
  const model = await tf.loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology as object,
      format: json.format,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData,
    }),
  });
  const x = tf.tensor(input, inputShape);
  const result = model.execute(x, outputs) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(result) ? result : [result];
  const data = await Promise.all(list.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, ...list]);
  model.dispose();
  return data;
}

/** Runs an ONNX model in onnxruntime with one input; outputs in the order asked. */
export async function runOrt(
  onnx: Uint8Array,
  inputName: string,
  input: Float32Array,
  inputShape: number[],
  outputs: string[],
  threads = 1,
): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(onnx, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  try {
    const result = await session.run({ [inputName]: new ort.Tensor('float32', input, inputShape) });
    return outputs.map((name) => result[name]!.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** Deterministic pseudo-random values in [lo, hi) (an LCG; same sequence on every machine). */
export function pseudoRandom(count: number, seed: number, lo = 0, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Silences TF.js's one-time "install the node backend" banner in test output. */
export function quietTfjs(): void {
  for (const level of ['log', 'warn'] as const) {
    const original = console[level];
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('tfjs-node')) return;
      original(...args);
    };
  }
}
