/** Small helpers shared by the decoders: element conversion, output lookup, shape tests. */
import { FramewireError } from '../../core/errors.ts';
import type { OutputSignature, OutputTensor } from './types.ts';

/** The tensor's values as float32; float tensors are used in place, never copied. */
export function asFloat32(t: OutputTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const out = new Float32Array(t.data.length);
  if (t.data instanceof BigInt64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]!);
  } else {
    out.set(t.data);
  }
  return out;
}

/** The tensor's values as int32 (class labels arrive as int64, int32 or float). */
export function asInt32(t: OutputTensor): Int32Array {
  if (t.data instanceof Int32Array) return t.data;
  const out = new Int32Array(t.data.length);
  if (t.data instanceof BigInt64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]!);
  } else {
    for (let i = 0; i < out.length; i++) out[i] = Math.round(t.data[i]!);
  }
  return out;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** A dimension equal to `n`; symbolic dimensions match anything. */
export function dimIs(d: number | string | undefined, n: number): boolean {
  return typeof d === 'string' || d === n;
}

/** A known positive size, or NaN for symbolic dimensions. */
export function dimSize(d: number | string | undefined): number {
  return typeof d === 'number' && d > 0 ? d : Number.NaN;
}

/** Lower-case name without graph prefixes/suffixes (`tower_0/wh` → `wh`, `detection_boxes:0` → `detection_boxes`). */
export function baseName(name: string): string {
  const last = name.split('/').pop() ?? name;
  return last.replace(/:\d+$/, '').toLowerCase();
}

/** The first output whose base name is one of `names` (case-insensitive). */
export function byName<T extends OutputSignature>(
  outputs: readonly T[],
  ...names: string[]
): T | undefined {
  return outputs.find((o) => names.includes(baseName(o.name)));
}

/** Like `byName`, but a missing output is a MODEL_INVALID error naming the decoder and the outputs. */
export function requireOutput<T extends OutputTensor>(
  decoder: string,
  outputs: readonly T[],
  ...names: string[]
): T {
  const found = byName(outputs, ...names);
  if (!found) {
    throw new FramewireError(
      'MODEL_INVALID',
      `decoder ${decoder}: no ${names.join('/')} output among ${describeOutputs(outputs)}`,
    );
  }
  return found;
}

/** `name [1,84,8400], …` for messages. */
export function describeOutputs(outputs: readonly OutputSignature[]): string {
  return outputs.map((o) => `${o.name} [${o.dims.join(',')}]`).join(', ');
}

export function invalid(decoder: string, message: string): FramewireError {
  return new FramewireError('MODEL_INVALID', `decoder ${decoder}: ${message}`);
}

/**
 * Class count from model metadata: Ultralytics stores `names` as a Python dict
 * literal (`{0: 'person', 1: 'bicycle'}`); a JSON array or object also works.
 */
export function classCountFromMeta(meta: Record<string, string>): number | undefined {
  const names = meta.names;
  if (!names) return undefined;
  const keys = names.match(/(?:^|[{,])\s*['"]?\d+['"]?\s*:/g);
  if (keys) return keys.length;
  try {
    const parsed: unknown = JSON.parse(names);
    if (Array.isArray(parsed)) return parsed.length;
  } catch {
    // Not JSON and not a dict literal: the count is unknown.
  }
  return undefined;
}

/** Does any metadata value mention RT-DETR (Ultralytics writes it into `description`)? */
export function metaSaysRtDetr(meta: Record<string, string>): boolean {
  return Object.values(meta).some((v) => /rt-?detr/i.test(v));
}
