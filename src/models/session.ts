import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FramewireError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { OutputTensor } from './decoders/types.ts';
import { float16ToFloat32 } from './float16.ts';
import { readOnnxMetadata } from './metadata.ts';
import {
  type GraphOptimization,
  ortSessionOptions,
  type ThreadSettings,
} from './session-options.ts';
import type { InputDType, TensorData } from './preprocess.ts';

/** Execution providers framewire knows how to ask onnxruntime-node for. */
export const PROVIDERS = ['tensorrt', 'cuda', 'cpu'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** A model input or output as the session reports it; symbolic dims are strings. */
export interface TensorInfo {
  readonly name: string;
  readonly dims: readonly (number | string)[];
  /** Element type (`float32`, `uint8`, `float16`, `int64`, …), when known. */
  readonly type: string;
}

export type InputFeed =
  | { readonly type: InputDType; readonly data: TensorData; readonly dims: readonly number[] }
  | { readonly type: 'int64'; readonly data: BigInt64Array; readonly dims: readonly number[] }
  | { readonly type: 'int32'; readonly data: Int32Array; readonly dims: readonly number[] };

type FeedData = InputFeed['data'];

/**
 * What the `detect` stage needs from an inference engine. onnxruntime-node sits
 * behind it in production; tests substitute a deterministic fake.
 */
export interface InferenceBackend {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** The model file's `metadata_props`. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The execution provider the session runs on. */
  readonly provider: string;
  /**
   * Runs one inference; outputs come back in the model's output order, as
   * float32 where they were float16. They stay valid for `RING_SLOTS` − 1
   * further runs (a worker session reuses their memory after that): decode
   * them, copy what must last longer.
   */
  run(feeds: Readonly<Record<string, InputFeed>>): Promise<OutputTensor[]>;
  /** Releases the native session. Idempotent. */
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Tried in order; unavailable ones are skipped with one warning. Default `[cpu]`. */
  providers?: readonly Provider[];
  /** Intra-op threads; default: the number of cores. */
  threads?: number;
  /** Let idle onnxruntime threads spin-wait; default false (see ThreadSettings). */
  spinning?: boolean;
  interOpThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  graphOptimization?: GraphOptimization;
  log?: Logger;
  /** Let onnxruntime print its warnings; default `log.verbose`, else off. */
  verbose?: boolean;
}

/**
 * onnxruntime's own log (native code writing to stderr) at warning level prints
 * one line per initializer a model also lists as a graph input — 158 lines for
 * one common NanoDet export — and other advice meant for model authors. framewire
 * reports every failure itself, so only fatal messages get through unless the
 * user asks with `--verbose`. 4 = fatal, 2 = warning (onnxruntime's default).
 */
function ortLogLevel(verbose: boolean): { session: 2 | 4; env: 'warning' | 'fatal' } {
  return verbose ? { session: 2, env: 'warning' } : { session: 4, env: 'fatal' };
}

/** What each GPU provider needs beyond the CUDA build of onnxruntime-node. */
const NEEDS: Record<string, string> = {
  cuda: 'the CUDA 12 runtime and cuDNN 9',
  tensorrt: 'TensorRT 10 libraries on the library path',
};
/**
 * package.json's `allowScripts` denies onnxruntime-node's install script (it would
 * download CUDA libraries on every install), so GPU users run it themselves.
 */
const INSTALL =
  'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js';

/**
 * Opens an ONNX model with onnxruntime-node. The file is checked first (missing →
 * MODEL_MISSING, truncated or not ONNX → MODEL_INVALID); then providers are tried
 * in order. A provider whose library is not installed is not even tried (that
 * would print a native error log): it is skipped, and one warning says how to
 * install it.
 */
export async function openOnnxSession(
  path: string,
  opts: SessionOptions = {},
): Promise<InferenceBackend> {
  const metadata = await readOnnxMetadata(path);
  const logLevel = ortLogLevel(opts.verbose ?? opts.log?.verbose ?? false);
  // Read once, when the first session starts the process-wide environment.
  ort.env.logLevel = logLevel.env;
  const requested: readonly Provider[] = opts.providers?.length ? opts.providers : ['cpu'];
  // CPU is always the last resort, even when not listed: a missing GPU library
  // should cost speed and a warning, not the run.
  const order: Provider[] = requested.includes('cpu') ? [...requested] : [...requested, 'cpu'];
  const skipped: string[] = [];
  let lastError: unknown;
  // Bad settings are the user's config, not a broken model: refused before any provider is tried.
  const settings = threadSettings(opts);
  ortSessionOptions('cpu', settings, logLevel.session);
  for (const provider of order) {
    const missing = missingProviderLibrary(provider);
    if (missing) {
      skipped.push(provider);
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(
        path,
        ortSessionOptions(provider, settings, logLevel.session),
      );
      if (skipped.length > 0) warnFallback(opts.log, skipped, provider);
      return new OrtBackend(session, metadata, provider);
    } catch (err) {
      if (provider === 'cpu') throw loadFailure(path, err);
      // The library is there but will not start (driver, CUDA version): next provider.
      skipped.push(`${provider} (${firstLine(err)})`);
      lastError = err;
    }
  }
  throw new FramewireError(
    'MODEL_INVALID',
    `no usable execution provider among ${requested.join(', ')}${lastError ? `: ${firstLine(lastError)}` : ''}`,
    { hint: 'check the GPU driver and CUDA installation' },
  );
}

/** The thread settings of `opts`, defaults filled in. */
export function threadSettings(opts: SessionOptions): ThreadSettings {
  return {
    threads: opts.threads ?? availableParallelism(),
    spinning: opts.spinning ?? false,
    ...(opts.interOpThreads !== undefined ? { interOpThreads: opts.interOpThreads } : {}),
    ...(opts.executionMode !== undefined ? { executionMode: opts.executionMode } : {}),
    ...(opts.graphOptimization !== undefined ? { graphOptimization: opts.graphOptimization } : {}),
  };
}

function warnFallback(log: Logger | undefined, skipped: string[], using: string): void {
  const names = [...new Set(skipped.map((s) => s.split(' ')[0]!))];
  const needs = names.map((n) => NEEDS[n]).filter(Boolean);
  log?.warn(
    `execution provider ${skipped.join(', ')} not available, running on ${using}. ` +
      `To enable it: ${INSTALL}${needs.length ? ` (needs ${needs.join('; ')})` : ''}`,
  );
}

/** The provider's shared library when it is not installed next to the binding, else undefined. */
function missingProviderLibrary(provider: Provider): string | undefined {
  if (provider === 'cpu') return undefined;
  const dir = bindingDir();
  if (!dir) return `libonnxruntime_providers_${provider}.so`;
  for (const lib of ['shared', provider]) {
    const file = `libonnxruntime_providers_${lib}.${process.platform === 'win32' ? 'dll' : 'so'}`;
    if (!existsSync(join(dir, file))) return file;
  }
  return undefined;
}

let cachedBindingDir: string | null | undefined;

/** `node_modules/onnxruntime-node/bin/napi-vN/<platform>/<arch>`, where provider libraries go. */
function bindingDir(): string | undefined {
  if (cachedBindingDir !== undefined) return cachedBindingDir ?? undefined;
  try {
    const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const napi = readdirSync(join(root, 'bin')).filter((d) => d.startsWith('napi-v'));
    const found = napi
      .map((d) => join(root, 'bin', d, process.platform, process.arch))
      .find((d) => existsSync(d));
    cachedBindingDir = found ?? null;
  } catch {
    cachedBindingDir = null;
  }
  return cachedBindingDir ?? undefined;
}

function loadFailure(path: string, err: unknown): FramewireError {
  return new FramewireError('MODEL_INVALID', `onnxruntime cannot load ${path}: ${firstLine(err)}`, {
    hint: 'the file may be corrupt, or use operators this onnxruntime does not support; re-export it (opset 11–21)',
    cause: err,
  });
}

/** The useful part of an onnxruntime message, without its source-file prefix. */
function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? text)
    .replace(/^.*\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*/, '')
    .replace(/^Load model from .* failed:\s*/, '')
    .trim();
}

class OrtBackend implements InferenceBackend {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  #session: ort.InferenceSession | undefined;
  /** Plain buffers for shared feeds, by input name, free between runs (see `#stage`). */
  readonly #spare = new Map<string, FeedData>();

  constructor(
    session: ort.InferenceSession,
    readonly metadata: Readonly<Record<string, string>>,
    readonly provider: string,
  ) {
    this.#session = session;
    const info = (m: ort.InferenceSession.ValueMetadata): TensorInfo =>
      m.isTensor
        ? { name: m.name, dims: m.shape, type: m.type }
        : { name: m.name, dims: [], type: 'non-tensor' };
    this.inputs = session.inputMetadata.map(info);
    this.outputs = session.outputMetadata.map(info);
  }

  async run(feeds: Readonly<Record<string, InputFeed>>): Promise<OutputTensor[]> {
    const session = this.#session;
    if (!session) throw new Error('inference session used after close()');
    const tensors: Record<string, ort.Tensor> = {};
    const staged: [string, FeedData][] = [];
    for (const [name, f] of Object.entries(feeds)) {
      let data: FeedData = f.data;
      if (data.buffer instanceof SharedArrayBuffer) {
        data = this.#stage(name, data);
        staged.push([name, data]);
      }
      tensors[name] = new ort.Tensor(f.type, data, f.dims);
    }
    try {
      const result = await session.run(tensors);
      return session.outputNames.map((name) => toOutput(name, result[name]!));
    } finally {
      for (const [name, data] of staged) this.#spare.set(name, data);
    }
  }

  /**
   * onnxruntime-node cannot read a view of a SharedArrayBuffer (N-API refuses it
   * as an ArrayBuffer: "Invalid argument"), so a shared feed is copied into a
   * plain buffer, one per input, reused from run to run. A run overlapping
   * another one gets its own.
   */
  #stage(name: string, data: FeedData): FeedData {
    const spare = this.#spare.get(name);
    this.#spare.delete(name);
    const copy =
      spare?.constructor === data.constructor && spare.length === data.length
        ? spare
        : new (data.constructor as new (n: number) => FeedData)(data.length);
    (copy as Float32Array).set(data as Float32Array);
    return copy;
  }

  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.release();
  }
}

function toOutput(name: string, value: ort.OnnxValue): OutputTensor {
  const t = value as ort.Tensor;
  const dims = [...t.dims];
  const data = t.data;
  if (t.type === 'float16' && data instanceof Uint16Array) {
    return { name, dims, data: float16ToFloat32(data) };
  }
  if (
    data instanceof Float32Array ||
    data instanceof Int32Array ||
    data instanceof BigInt64Array ||
    data instanceof Uint8Array
  ) {
    return { name, dims, data };
  }
  if (data instanceof Float64Array || ArrayBuffer.isView(data)) {
    return { name, dims, data: Float32Array.from(data as ArrayLike<number>) };
  }
  throw new FramewireError('MODEL_INVALID', `output ${name} is a ${t.type} tensor, not numbers`);
}
