/**
 * Worker-thread side of `openWorkerSession`: owns one onnxruntime session.
 * onnxruntime-node runs inference synchronously on the thread that calls it, so
 * running it here leaves the main thread free to decode and preprocess the next
 * frame while this one is inferred.
 */
import { stat } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { FramewireError } from '../core/errors.ts';
import { processThreadIds, threadCpuClock, threadCpuMs } from '../core/thread-cpu.ts';
import { OutputRingWriter, type RingGrant, type WireOutput } from './output-rings.ts';
import {
  type InferenceBackend,
  type InputFeed,
  openOnnxSession,
  type SessionOptions,
} from './session.ts';

export type WorkerRequest =
  | { kind: 'open'; path: string; options: Omit<SessionOptions, 'log'> }
  | { kind: 'run'; id: number; feeds: Record<string, InputFeed> }
  | { kind: 'close' };

export type WorkerReply =
  | {
      kind: 'opened';
      inputs: InferenceBackend['inputs'];
      outputs: InferenceBackend['outputs'];
      metadata: InferenceBackend['metadata'];
      provider: string;
    }
  | { kind: 'result'; id: number; outputs: WireOutput[]; rings?: RingGrant[]; cpuMs?: number }
  | { kind: 'failed'; id?: number; error: SerializedError }
  | { kind: 'log'; level: 'info' | 'warn'; message: string }
  | { kind: 'closed'; cpuMs?: number };

export interface SerializedError {
  message: string;
  code?: string;
  hint?: string;
  stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof FramewireError) {
    return { message: err.message, code: err.code, ...(err.hint ? { hint: err.hint } : {}) };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}

/**
 * CPU ms of this worker's thread and of the threads onnxruntime started for
 * its session (its intra-op pool): what this session has cost, for the stage's
 * CPU figure. Threads are told apart by what appeared while the session opened.
 */
async function sessionCpuMeter<T>(
  open: () => Promise<T>,
): Promise<{ opened: T; cpuMs: () => number | undefined }> {
  const own = threadCpuClock();
  // libuv's thread pool starts on first use: start it now, so it is not taken for onnxruntime's.
  await stat('.').catch(() => undefined);
  const before = processThreadIds();
  const opened = await open();
  const after = processThreadIds();
  const pool = before && after ? [...after].filter((tid) => !before.has(tid)) : [];
  // A pool thread ends with the session: its last reading stands for it then.
  const last = new Map<number, number>();
  const cpuMs = () => {
    if (!own) return undefined;
    let ms = own();
    for (const tid of pool) {
      const now = threadCpuMs(tid);
      if (now !== undefined) last.set(tid, now);
      ms += last.get(tid) ?? 0;
    }
    return ms;
  };
  return { opened, cpuMs };
}

function withCpu(cpuMs: number | undefined): { cpuMs?: number } {
  return cpuMs === undefined ? {} : { cpuMs };
}

const port = parentPort;
if (port) {
  let backend: InferenceBackend | undefined;
  let cpuMs: () => number | undefined = () => undefined;
  const rings = new OutputRingWriter();
  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);
  port.on('message', async (request: WorkerRequest) => {
    switch (request.kind) {
      case 'open':
        try {
          const meter = await sessionCpuMeter(() =>
            openOnnxSession(request.path, {
              ...request.options,
              log: {
                info: (message) => reply({ kind: 'log', level: 'info', message }),
                warn: (message) => reply({ kind: 'log', level: 'warn', message }),
              },
            }),
          );
          backend = meter.opened;
          cpuMs = meter.cpuMs;
          const { inputs, outputs, metadata, provider } = backend;
          reply({ kind: 'opened', inputs, outputs, metadata, provider });
        } catch (err) {
          reply({ kind: 'failed', error: serializeError(err) });
        }
        return;
      case 'run':
        try {
          const outputs = await backend!.run(request.feeds);
          // Into shared rings where an output's size repeats; the rest is handed over.
          const { wire, grants, transfer } = rings.place(outputs);
          reply(
            {
              kind: 'result',
              id: request.id,
              outputs: wire,
              ...(grants.length > 0 ? { rings: grants } : {}),
              ...withCpu(cpuMs()),
            },
            transfer,
          );
        } catch (err) {
          reply({ kind: 'failed', id: request.id, error: serializeError(err) });
        }
        return;
      case 'close': {
        // Read the pool once more while it still runs: closing ends its threads.
        cpuMs();
        await backend?.close();
        reply({ kind: 'closed', ...withCpu(cpuMs()) });
        port.close();
        return;
      }
    }
  });
}
