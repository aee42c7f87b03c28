import { distance } from 'fastest-levenshtein';

/**
 * Names longer than this are never compared: no option, type or label is that
 * long, so such an input is not a typo of one, and edit distance costs time
 * proportional to the product of the lengths (a megabyte-long value would
 * take minutes).
 */
export const MAX_SUGGEST_LENGTH = 256;

/**
 * The closest candidate to a mistyped name, if it is close enough to be a typo
 * (`trak` → `track`, `fiel` → `file`), else undefined. Only candidates whose
 * length is within the tolerance are measured, since the edit distance is at
 * least the difference in length.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  if (input.length > MAX_SUGGEST_LENGTH) return undefined;
  const tolerance = Math.max(1, Math.floor(input.length / 3));
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - input.length) > tolerance) continue;
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= tolerance ? best : undefined;
}
