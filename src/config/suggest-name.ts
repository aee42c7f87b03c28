import { didYouMean, MAX_SUGGEST_LENGTH } from '../core/suggest.ts';

/**
 * `didYouMean`, plus swapped neighbouring letters (`tpye` → `type`): plain
 * Levenshtein counts a swap as two edits, too many for a short key.
 */
export function suggestName(input: string, candidates: readonly string[]): string | undefined {
  return didYouMean(input, candidates) ?? candidates.find((c) => isSwap(input, c));
}

function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length || a.length > MAX_SUGGEST_LENGTH) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x.length !== y.length || x === y) return false;
  const diff = [...x].flatMap((ch, i) => (ch === y[i] ? [] : [i]));
  return (
    diff.length === 2 &&
    diff[1] === diff[0]! + 1 &&
    x[diff[0]!] === y[diff[1]!] &&
    x[diff[1]!] === y[diff[0]!]
  );
}
