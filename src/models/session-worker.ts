/**
 * Worker-thread side of `openWorkerSession`: owns one onnxruntime session.
 * onnxruntime-node runs inference synchronously on the thread that calls it, so
 * running it here leaves the main thread free to decode and preprocess the next
 * frame while this one is inferred.
 */
import { parentPort } from 'node:worker_threads';
import { FramewireError } from '../core/errors.ts';
import type { OutputTensor } from './decoders/types.ts';
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
  | { kind: 'result'; id: number; outputs: OutputTensor[] }
  | { kind: 'failed'; id?: number; error: SerializedError }
  | { kind: 'log'; level: 'info' | 'warn'; message: string }
  | { kind: 'closed' };

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

const port = parentPort;
if (port) {
  let backend: InferenceBackend | undefined;
  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);
  port.on('message', async (request: WorkerRequest) => {
    switch (request.kind) {
      case 'open':
        try {
          backend = await openOnnxSession(request.path, {
            ...request.options,
            log: {
              info: (message) => reply({ kind: 'log', level: 'info', message }),
              warn: (message) => reply({ kind: 'log', level: 'warn', message }),
            },
          });
          const { inputs, outputs, metadata, provider } = backend;
          reply({ kind: 'opened', inputs, outputs, metadata, provider });
        } catch (err) {
          reply({ kind: 'failed', error: serializeError(err) });
        }
        return;
      case 'run':
        try {
          const outputs = await backend!.run(request.feeds);
          // Outputs are fresh per run: hand their memory over instead of copying.
          const transfer = [...new Set(outputs.map((o) => o.data.buffer as ArrayBuffer))];
          reply({ kind: 'result', id: request.id, outputs }, transfer);
        } catch (err) {
          reply({ kind: 'failed', id: request.id, error: serializeError(err) });
        }
        return;
      case 'close':
        await backend?.close();
        reply({ kind: 'closed' });
        port.close();
        return;
    }
  });
}
