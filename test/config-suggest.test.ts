/**
 * "Did you mean": near misses still found, and a name far longer than any
 * candidate is never measured (edit distance is quadratic in the lengths, so
 * a megabyte-long value used to take minutes).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { suggestName } from '../src/config/suggest-name.ts';
import { didYouMean, MAX_SUGGEST_LENGTH } from '../src/core/suggest.ts';

const names = ['file', 'testsrc', 'track', 'resize', 'jsonl'];

// [input, suggestion or undefined]
const cases: [string, string | undefined][] = [
  ['trak', 'track'], // one letter missing
  ['fiel', 'file'], // a swap: two edits, found by suggestName
  ['TESTSRC', 'testsrc'], // case does not count
  ['resise', 'resize'], // one letter wrong
  ['camera', undefined], // nothing close
  ['x'.repeat(1 << 20), undefined], // a megabyte: no candidate is near its length
  ['f'.repeat(MAX_SUGGEST_LENGTH + 1), undefined], // past the bound: never compared
];
for (const [input, want] of cases) {
  test(`${input.slice(0, 20)}${input.length > 20 ? `… (${input.length})` : ''} → ${want}`, () => {
    assert.is(suggestName(input, names), want);
  });
}

test('a long name is still matched up to the bound, and not past it', () => {
  const long = 'a'.repeat(MAX_SUGGEST_LENGTH);
  assert.is(didYouMean(`${long.slice(1)}b`, [long]), long);
  assert.is(didYouMean(`${long}b`, [`${long}c`]), undefined);
});

test('candidates much shorter or longer than the input are skipped, not mis-suggested', () => {
  // "ab" is 1 edit from "a" (tolerance 1); "abcdef" is 5 away and must not win.
  assert.is(didYouMean('ab', ['abcdef', 'a']), 'a');
  // 12 letters: tolerance 4; a 17-letter candidate is at least 5 edits away.
  assert.is(didYouMean('abcdefghijkl', ['abcdefghijklmnopq']), undefined);
  assert.is(didYouMean('abcdefghijkl', ['abcdefghijklmnop']), 'abcdefghijklmnop');
});

test.run();
