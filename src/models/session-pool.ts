import { availableParallelism } from 'node:os';
import type { CpuAccount } from '../core/cpu-ledger.ts';
import type { Logger } from '../core/log.ts';
import type { OutputTensor } from './decoders/types.ts';
import type { InferenceBackend, InputFeed, Provider } from './session.ts';
import { openWorkerSession } from './worker-session.ts';

/**
 * Several sessions of one model behind one backend, taking runs in turn: run
 * k goes to session k mod n. Two one-thread sessions side by side get more
 * frames a second through a 2-core machine than one session with two threads
 * (README "Threads and cores": a parallel section of a two-thread run waits for
 * its slower thread, and in a pipeline that thread is often descheduled for the
 * decoder or the encoder; two sessions never wait for each other).
 *
 * Strict turns rather than "whichever is free" keep every session's share of
 * the in-flight runs fixed: with 2n jobs in flight (`pipelinedInference`) each
 * session has exactly two, which its input slots and output rings are sized
 * for. Outputs stay valid as long as their own session's do.
 */
export function sessionPool(sessions: readonly InferenceBackend[]): InferenceBackend {
  const first = sessions[0];
  if (first === undefined) throw new Error('sessionPool needs at least one session');
  if (sessions.length === 1) return first;
  let turn = 0;
  let closing: Promise<void> | undefined;
  return {
    inputs: first.inputs,
    outputs: first.outputs,
    metadata: first.metadata,
    provider: first.provider,
    run(feeds: Readonly<Record<string, InputFeed>>): Promise<OutputTensor[]> {
      const session = sessions[turn]!;
      turn = (turn + 1) % sessions.length;
      return session.run(feeds);
    },
    close(): Promise<void> {
      closing ??= Promise.all(sessions.map((s) => s.close())).then(() => {});
      return closing;
    },
  };
}

/**
 * Opens `count` sessions with `open` side by side, as one pool; if any fails,
 * the others are closed and the first failure is thrown.
 */
export async function openSessionPool(
  count: number,
  open: () => Promise<InferenceBackend>,
): Promise<InferenceBackend> {
  const settled = await Promise.allSettled(Array.from({ length: count }, open));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const opened = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (failed) {
    await Promise.all(opened.map((s) => s.close()));
    throw failed.reason;
  }
  return sessionPool(opened);
}

/** How a model stage (detect, segment) asks for its sessions. */
export interface InferenceSessionOptions {
  providers?: readonly Provider[];
  /** Intra-op threads of each session; default: the number of cores. */
  threads?: number;
  /** Sessions side by side; default 1. */
  instances?: number;
  spinning?: boolean;
  log?: Logger;
  cpu?: CpuAccount;
}

/**
 * The model's sessions, each on a worker thread of its own, as one backend.
 * Only the first gets the logger and onnxruntime's own log (`verbose`): the
 * sessions open the same file on the same providers, so a provider fallback or
 * a warning about the model would only be said again, once a session.
 */
export function openInferenceSessions(
  path: string,
  options: InferenceSessionOptions,
): Promise<InferenceBackend> {
  let opened = 0;
  return openSessionPool(options.instances ?? 1, () => {
    const log = opened++ === 0 ? options.log : undefined;
    return openWorkerSession(path, {
      providers: options.providers ?? ['cpu'],
      threads: options.threads ?? availableParallelism(),
      ...(options.spinning !== undefined ? { spinning: options.spinning } : {}),
      ...(log ? { log } : { verbose: false }),
      ...(options.cpu ? { cpu: options.cpu } : {}),
    });
  });
}
