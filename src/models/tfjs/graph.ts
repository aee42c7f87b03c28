import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FramewireError } from '../../core/errors.ts';

/**
 * Reads a TensorFlow.js graph model (`model.json` + weight shards) into plain
 * nodes and dequantized constant tensors. Only what the converter needs: the
 * JSON form of TF's GraphDef and the `weightsManifest` layout.
 */

/** One attribute in the JSON form of TF's AttrValue proto (int64s arrive as strings). */
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[] };
}

export interface TfNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, TfAttr>;
}

/** A constant after dequantization: floats become float32, integers int32. */
export interface TfTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface TfGraph {
  nodes: Map<string, TfNode>;
  weights: Map<string, TfTensor>;
  /** Signature inputs and outputs, when the model declares them. */
  inputs: string[];
  outputs: string[];
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

interface ModelJson {
  format?: string;
  signature?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  modelTopology?: { node?: Partial<TfNode>[] };
  weightsManifest?: ManifestGroup[];
}

const invalid = (path: string, message: string): FramewireError =>
  new FramewireError('MODEL_INVALID', `${path}: ${message}`);

/** Reads `model.json` and its shards (resolved next to it). */
export async function readTfjsGraph(jsonPath: string): Promise<TfGraph> {
  const json: unknown = JSON.parse(await readFile(jsonPath, 'utf8'));
  const dir = dirname(jsonPath);
  return parseTfjsGraph(json, jsonPath, (p) => readFile(join(dir, p)));
}

/** The same, with shard reading injected so tests can use in-memory models. */
export async function parseTfjsGraph(
  parsed: unknown,
  where: string,
  readShard: (path: string) => Promise<Uint8Array>,
): Promise<TfGraph> {
  // Parsed JSON: the fields used are checked as they are read.
  const json = (parsed ?? {}) as ModelJson;
  const rawNodes = json.modelTopology?.node;
  if (!Array.isArray(rawNodes)) throw invalid(where, 'no modelTopology.node (not a graph model?)');
  const nodes = new Map<string, TfNode>();
  for (const n of rawNodes) {
    if (typeof n.name !== 'string' || typeof n.op !== 'string') {
      throw invalid(where, 'a node without a name or op');
    }
    nodes.set(n.name, { name: n.name, op: n.op, input: n.input ?? [], attr: n.attr ?? {} });
  }
  const weights = new Map<string, TfTensor>();
  const groups = json.weightsManifest ?? [];
  if (!Array.isArray(groups)) throw invalid(where, 'weightsManifest is not a list');
  for (const group of groups) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw invalid(where, 'a weightsManifest group without paths or weights');
    }
    const shards = await Promise.all(group.paths.map(readShard));
    const bytes = concat(shards);
    let offset = 0;
    for (const entry of group.weights) {
      const [tensor, used] = decodeEntry(entry, bytes, offset, where);
      weights.set(entry.name, tensor);
      offset += used;
    }
    if (offset !== bytes.byteLength) {
      throw invalid(where, `weights use ${offset} bytes but the shards hold ${bytes.byteLength}`);
    }
  }
  return {
    nodes,
    weights,
    inputs: Object.keys(json.signature?.inputs ?? {}),
    outputs: Object.keys(json.signature?.outputs ?? {}),
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint16: 2, uint8: 1 };

/** Decodes one manifest entry at `offset`; returns the tensor and the bytes it used. */
function decodeEntry(
  entry: ManifestEntry,
  bytes: Uint8Array,
  offset: number,
  where: string,
): [TfTensor, number] {
  if (typeof entry.name !== 'string' || !Array.isArray(entry.shape)) {
    throw invalid(where, 'a weight entry without a name or shape');
  }
  const count = entry.shape.reduce((a, d) => a * d, 1);
  const q = entry.quantization;
  const stored = q?.dtype ?? entry.dtype;
  const width = BYTES[stored];
  if (width === undefined || (entry.dtype !== 'float32' && entry.dtype !== 'int32')) {
    throw invalid(where, `weight "${entry.name}": unsupported dtype ${entry.dtype}/${stored}`);
  }
  const used = count * width;
  if (offset + used > bytes.byteLength) throw invalid(where, `weight "${entry.name}" is truncated`);
  // Copy so the typed array is aligned whatever the offset.
  const view = new DataView(bytes.slice(offset, offset + used).buffer);
  const shape = [...entry.shape];
  if (entry.dtype === 'int32') {
    if (q) throw invalid(where, `weight "${entry.name}": quantized int32 is not supported`);
    const data = new Int32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, true);
    return [{ dtype: 'int32', shape, data }, used];
  }
  const data = new Float32Array(count);
  if (stored === 'float32') {
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
  } else if (stored === 'float16') {
    for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(i * 2, true));
  } else {
    // Affine uint8/uint16 quantization: value = q * scale + min.
    const scale = q?.scale ?? 1;
    const min = q?.min ?? 0;
    for (let i = 0; i < count; i++) {
      const v = width === 1 ? view.getUint8(i) : view.getUint16(i * 2, true);
      data[i] = v * scale + min;
    }
  }
  return [{ dtype: 'float32', shape, data }, used];
}

/** IEEE 754 binary16 → number, including subnormals, infinities and NaN. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Node inputs are `name`, `name:k` (k-th output) or `^name` (control edge). */
export function parseInputRef(ref: string): { node: string; index: number; control: boolean } {
  if (ref.startsWith('^')) return { node: ref.slice(1), index: 0, control: true };
  const m = /^(.*):(\d+)$/.exec(ref);
  return m
    ? { node: m[1]!, index: Number(m[2]), control: false }
    : { node: ref, index: 0, control: false };
}

// Attribute readers: TF's JSON encodes strings as base64 and int64 as decimal strings.

export function attrString(node: TfNode, key: string): string | undefined {
  const s = node.attr[key]?.s;
  return s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');
}

export function attrStrings(node: TfNode, key: string): string[] {
  return (node.attr[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

export function attrInt(node: TfNode, key: string): number | undefined {
  const i = node.attr[key]?.i;
  return i === undefined ? undefined : Number(i);
}

export function attrInts(node: TfNode, key: string): number[] {
  return (node.attr[key]?.list?.i ?? []).map(Number);
}

export function attrBool(node: TfNode, key: string): boolean {
  return node.attr[key]?.b === true;
}
