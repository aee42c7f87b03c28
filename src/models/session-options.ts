import type { InferenceSession } from 'onnxruntime-node';
import { ConfigError } from '../core/errors.ts';

/** Graph optimisation levels onnxruntime-node accepts, least to most. */
export const GRAPH_OPTIMIZATIONS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptimization = (typeof GRAPH_OPTIMIZATIONS)[number];

/** How onnxruntime uses the cores, as framewire exposes it. */
export interface ThreadSettings {
  /** Intra-op threads, the calling thread included. */
  readonly threads: number;
  /**
   * Whether idle intra-op threads spin-wait for work (onnxruntime's default) or
   * sleep. Spinning saves a wake-up per operator but burns the core that video
   * decoding and encoding need.
   */
  readonly spinning: boolean;
  /** Inter-op threads; only used with `executionMode: parallel`. */
  readonly interOpThreads?: number;
  readonly executionMode?: 'sequential' | 'parallel';
  readonly graphOptimization?: GraphOptimization;
}

/**
 * The options object for `InferenceSession.create`. onnxruntime-node cannot
 * read these back from a session, so this function is where they are decided
 * and tests assert on its output reaching `create`. `extra` entries become
 * session config entries (`session.intra_op.allow_spinning`); the Node binding
 * takes only string values there.
 */
export function ortSessionOptions(
  provider: string,
  settings: ThreadSettings,
  logSeverityLevel: 0 | 1 | 2 | 3 | 4,
): InferenceSession.SessionOptions {
  checkThreads('threads', settings.threads);
  if (settings.interOpThreads !== undefined)
    checkThreads('interOpThreads', settings.interOpThreads);
  if (typeof settings.spinning !== 'boolean')
    throw new ConfigError(`spinning must be true or false, got ${String(settings.spinning)}`);
  const level = settings.graphOptimization ?? 'all';
  if (!GRAPH_OPTIMIZATIONS.includes(level))
    throw new ConfigError(`graphOptimization must be one of ${GRAPH_OPTIMIZATIONS.join(', ')}`, {
      hint: `got ${String(level)}`,
    });
  const mode = settings.executionMode ?? 'sequential';
  if (mode !== 'sequential' && mode !== 'parallel')
    throw new ConfigError(`executionMode must be sequential or parallel, got ${String(mode)}`);
  const spin = settings.spinning ? '1' : '0';
  return {
    executionProviders: [provider],
    intraOpNumThreads: settings.threads,
    ...(settings.interOpThreads !== undefined
      ? { interOpNumThreads: settings.interOpThreads }
      : {}),
    executionMode: mode,
    graphOptimizationLevel: level,
    logSeverityLevel,
    extra: {
      session: {
        intra_op: { allow_spinning: spin },
        inter_op: { allow_spinning: spin },
      },
    },
  };
}

function checkThreads(key: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 256)
    throw new ConfigError(`${key} must be a whole number from 1 to 256, got ${String(value)}`);
}
