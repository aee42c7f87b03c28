// The one bare-inference timing loop every bench section compares against.
import { performance } from 'node:perf_hooks';

export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Median milliseconds of `run()` over `runs` calls, after 3 unmeasured ones
 * (the first runs allocate and plan, and would be charged to nothing else).
 */
export async function medianRunMs(run: () => Promise<unknown>, runs: number): Promise<number> {
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return median(times);
}
