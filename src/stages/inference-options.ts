import { availableParallelism } from 'node:os';
import type { ComponentContext } from '../core/component.ts';
import type { Logger } from '../core/log.ts';
import { optional, t } from '../core/schema.ts';

/**
 * How an inference stage uses the cores: shared by `detect` and `segment`.
 * Without `threads`, the pipeline's thread budget decides (README "Threads and
 * cores").
 */
export const inferenceThreadOptions = {
  threads: optional(
    t.integer({
      doc: 'Inference threads (intra-op) of each instance; default: the pipeline’s thread budget shared between the instances (README “Threads and cores”: 1 each for the 2 sessions on 2 cores)',
      min: 1,
      max: 256,
    }),
  ),
  instances: optional(
    t.integer({
      doc: 'Sessions of the model running frames side by side, each on a worker thread of its own; frames still leave in order. Default: 2 when the thread budget gives the stage 2 threads or more and `threads` is not set (on 2 cores: 2 sessions of 1 thread, more frames a second than 1 of 2), else 1; 1 gives each frame the lowest latency',
      min: 1,
      max: 16,
    }),
  ),
  spinning: optional(
    t.boolean({
      doc: 'Let idle inference threads spin-wait for work (onnxruntime’s own default); default off: they sleep and leave the cores to decoding and encoding',
    }),
  ),
};

/**
 * How many sessions a stage runs and with how many intra-op threads each. Its
 * own `instances` and `threads` win, and `threads` alone means one session of
 * that many (what it meant before there were instances: `threads: 1` leaves a
 * core to the rest). Otherwise the pipeline's thread budget for the stage goes
 * to two sessions when it has 2 threads or more (README "Threads
 * and cores": on 2 cores two 1-thread sessions get 1.07 times the frames of one
 * 2-thread session's bare loop through `file → detect → null`, one 2-thread
 * session 0.94), shared between them, at least one thread each.
 */
export function inferenceSessions(
  config: { readonly threads?: number | undefined; readonly instances?: number | undefined },
  ctx: Pick<ComponentContext, 'threads'>,
): { instances: number; threads: number } {
  const budget = ctx.threads?.inference ?? availableParallelism();
  const instances = config.instances ?? (config.threads === undefined && budget >= 2 ? 2 : 1);
  const threads = config.threads ?? Math.max(1, Math.floor(budget / instances));
  return { instances, threads };
}

/**
 * With `--verbose`, how the stage shares the cores, so a user who sees its CPU
 * figure can tell what ran: `stages[0] (detect): 2 sessions × 1 thread`.
 */
export function describeSessions(
  name: string,
  sessions: { readonly instances: number; readonly threads: number },
  log: Logger,
): void {
  if (!log.verbose) return;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  log.info(
    `${name}: ${plural(sessions.instances, 'session')} × ${plural(sessions.threads, 'thread')} (README "Threads and cores")`,
  );
}
