import { type Fields, type InferFields, optional, t } from './schema.ts';

/**
 * The reconnect options every live source and network sink takes, declared
 * once: spread them into the component's options and hand the values to
 * `Backoff`. Attempts are unlimited unless `maxAttempts` is given.
 */
export const backoffOptions = {
  backoff: t.object(
    {
      initial: t.number({
        doc: 'Delay before the first retry, in seconds',
        default: 0.5,
        exclusiveMin: 0,
        max: 3600,
      }),
      max: t.number({
        doc: 'Longest delay between retries, in seconds',
        default: 30,
        exclusiveMin: 0,
        max: 86400,
      }),
      multiplier: t.number({
        doc: 'Each delay bound is the previous one times this',
        default: 2,
        min: 1,
        max: 10,
      }),
    },
    {
      doc: 'Reconnect delays: exponential with full jitter (a random delay up to the bound)',
      default: { initial: 0.5, max: 30, multiplier: 2 },
    },
  ),
  maxAttempts: optional(
    t.integer({
      doc: 'Give up after this many failed attempts in a row (absent: never give up)',
      min: 1,
    }),
  ),
} satisfies Fields;

export type BackoffConfig = InferFields<typeof backoffOptions>;

/**
 * Exponential backoff with full jitter: attempt n waits a uniformly random time
 * in [0, min(max, initial · multiplierⁿ⁻¹)]. Full jitter keeps many clients that
 * lost the same server from coming back in lockstep. Pure: the caller waits
 * (on the injected scheduler), so schedules are exact in virtual time.
 */
export class Backoff {
  #attempt = 0;

  constructor(
    private readonly config: BackoffConfig,
    private readonly random: () => number = Math.random,
  ) {}

  /** Failed attempts since the last success. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Whether `maxAttempts` failures in a row have used up the retries. */
  get exhausted(): boolean {
    return this.config.maxAttempts !== undefined && this.#attempt >= this.config.maxAttempts;
  }

  /** The upper bound of attempt `n`'s delay (from 1), in ms. */
  boundMs(n: number): number {
    const { initial, max, multiplier } = this.config.backoff;
    return Math.min(max, initial * multiplier ** (n - 1)) * 1000;
  }

  /** Counts one more failure and returns the delay before the next attempt, in ms. */
  next(): { attempt: number; delayMs: number } {
    this.#attempt++;
    return { attempt: this.#attempt, delayMs: this.random() * this.boundMs(this.#attempt) };
  }

  /** A connection worked: the next failure starts again from `initial`. */
  reset(): void {
    this.#attempt = 0;
  }
}
