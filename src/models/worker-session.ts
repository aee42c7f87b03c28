import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CpuAccount } from '../core/cpu-ledger.ts';
import { type ErrorCode, FramewireError } from '../core/errors.ts';
import type { OutputTensor } from './decoders/types.ts';
import { OutputRingReader } from './output-rings.ts';
import type { InferenceBackend, InputFeed, SessionOptions } from './session.ts';
import type { SerializedError, WorkerReply, WorkerRequest } from './session-worker.ts';

/** The worker module next to this one: `.ts` when run from source, `.js` when built. */
const workerUrl = new URL(
  `./session-worker${extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
);

/**
 * Built code runs the worker's `.js` directly. From source (tests, `npm run
 * framewire`) Node 20 does not carry the parent's `--import tsx` into workers,
 * so the worker first registers tsx itself, then loads the `.ts` module.
 */
function startWorker(): Worker {
  if (!workerUrl.pathname.endsWith('.ts')) return new Worker(workerUrl);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/**
 * An onnxruntime session on its own worker thread, behind the same
 * InferenceBackend interface as `openOnnxSession`. Inference then overlaps with
 * whatever the main thread does (video decoding, preprocessing the next frame,
 * decoding the previous outputs) instead of blocking it.
 */
export async function openWorkerSession(
  path: string,
  opts: WorkerSessionOptions = {},
): Promise<InferenceBackend> {
  const worker = startWorker();
  const pending = new Map<
    number,
    { resolve: (o: OutputTensor[]) => void; reject: (e: Error) => void }
  >();
  let nextId = 0;
  let opened: ((r: Extract<WorkerReply, { kind: 'opened' }>) => void) | undefined;
  let openFailed: ((e: Error) => void) | undefined;
  let closed: (() => void) | undefined;
  let dead: Error | undefined;
  const rings = new OutputRingReader();
  /** The worker's latest reading of its own CPU (its thread and onnxruntime's pool). */
  let cpuMs: number | undefined;

  const failAll = (err: Error) => {
    dead ??= err;
    openFailed?.(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    closed?.();
  };
  worker.on('message', (reply: WorkerReply) => {
    if ((reply.kind === 'result' || reply.kind === 'closed') && reply.cpuMs !== undefined) {
      cpuMs = reply.cpuMs;
    }
    switch (reply.kind) {
      case 'opened':
        opened?.(reply);
        return;
      case 'result':
        rings.accept(reply.rings);
        pending.get(reply.id)?.resolve(rings.read(reply.outputs));
        pending.delete(reply.id);
        return;
      case 'failed': {
        const err = deserializeError(reply.error);
        if (reply.id === undefined) openFailed?.(err);
        else {
          pending.get(reply.id)?.reject(err);
          pending.delete(reply.id);
        }
        return;
      }
      case 'log':
        opts.log?.[reply.level](reply.message);
        return;
      case 'closed':
        closed?.();
        return;
    }
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', () =>
    failAll(new FramewireError('STAGE_FAILED', 'the inference worker stopped')),
  );

  const post = (request: WorkerRequest) => worker.postMessage(request);
  const info = await new Promise<Extract<WorkerReply, { kind: 'opened' }>>((resolve, reject) => {
    opened = resolve;
    openFailed = reject;
    post({
      kind: 'open',
      path,
      options: {
        ...(opts.providers ? { providers: opts.providers } : {}),
        ...threadOptions(opts),
        // The logger stays on this thread; its verbosity travels.
        verbose: opts.verbose ?? opts.log?.verbose ?? false,
      },
    });
  }).catch(async (err: Error) => {
    await worker.terminate();
    throw err;
  });
  openFailed = undefined;
  opts.cpu?.addThreads(() => cpuMs);

  let closing: Promise<void> | undefined;
  return {
    inputs: info.inputs,
    outputs: info.outputs,
    metadata: info.metadata,
    provider: info.provider,
    run(feeds: Readonly<Record<string, InputFeed>>): Promise<OutputTensor[]> {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Structured clone copies a plain feed here, as the caller reuses its
        // buffers. A feed over a SharedArrayBuffer (a Preprocessor made with
        // `shared`) is not copied: the worker gets a view of the same memory,
        // so the caller must not write to it until this run settles.
        post({ kind: 'run', id, feeds: { ...feeds } });
      });
    },
    close(): Promise<void> {
      closing ??= dead
        ? worker.terminate().then(() => {})
        : new Promise<void>((resolve) => {
            closed = resolve;
            post({ kind: 'close' });
          }).then(() => worker.terminate().then(() => {}));
      return closing;
    },
  };
}

export interface WorkerSessionOptions extends SessionOptions {
  /** The CPU account the worker's threads are charged to (the stage's). */
  cpu?: CpuAccount;
}

/** The thread settings that travel to the worker (all plain values). */
function threadOptions(opts: WorkerSessionOptions): Omit<SessionOptions, 'log' | 'providers'> {
  const { threads, spinning, interOpThreads, executionMode, graphOptimization } = opts;
  return Object.fromEntries(
    Object.entries({ threads, spinning, interOpThreads, executionMode, graphOptimization }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}

function deserializeError(e: SerializedError): Error {
  if (e.code)
    return new FramewireError(e.code as ErrorCode, e.message, e.hint ? { hint: e.hint } : {});
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}
