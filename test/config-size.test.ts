/**
 * `t.size`, the declared WIDTHxHEIGHT format: what validation accepts is what
 * runs, so every malformed size is refused here, with the YAML path and the
 * value as written; also its JSON Schema and reference wording.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fieldSchema } from '../src/config/json-schema.ts';
import { readField } from '../src/config/read-fields.ts';
import { parseSize } from '../src/config/read-size.ts';
import { typeOf } from '../src/config/reference.ts';
import { type SizeField, t } from '../src/core/schema.ts';
import type { Issue } from '../src/config/issues.ts';

const size = t.size({ doc: 'Frame size', default: '1280x720' });
const odd = t.size({ doc: 'Any size', min: 1, max: 100, even: false });

function read(value: unknown, field: SizeField = size): { value: unknown; issues: Issue[] } {
  const issues: Issue[] = [];
  const node = { kind: 'scalar' as const, value, where: { pos: { line: 3, col: 9 } } };
  return { value: readField(node, field, 'source.size', {}, issues), issues };
}

// [value as YAML gives it, what the field returns]
const accepted: [unknown, string][] = [
  ['1280x720', '1280x720'], // the default's shape
  ['16x16', '16x16'], // the smallest, both sides at min
  ['8192x8192', '8192x8192'], // the largest, both sides at max
  ['0640x0360', '640x360'], // leading zeros: the canonical text is returned
];
for (const [value, want] of accepted) {
  test(`accepts ${JSON.stringify(value)}`, () => {
    const r = read(value);
    assert.equal(r.issues, []);
    assert.is(r.value, want);
  });
}

// [value, text the message must contain]
const refused: [unknown, string][] = [
  ['640x-360', 'expected WIDTHxHEIGHT in whole pixels, such as 1280x720, got string "640x-360"'], // negative
  ['0x0', 'must each be between 16 and 8192, got string "0x0"'], // zero pixels
  ['', 'expected WIDTHxHEIGHT'], // empty
  [640, 'expected a size WIDTHxHEIGHT, got number 640'], // a number, not text
  ['640x360x3', 'expected WIDTHxHEIGHT'], // three dimensions
  ['6.5x3.5', 'expected WIDTHxHEIGHT in whole pixels'], // fractions
  ['640X360', 'expected WIDTHxHEIGHT'], // the separator is a lowercase x
  ['640 x 360', 'expected WIDTHxHEIGHT'], // no spaces
  ['15x16', 'between 16 and 8192'], // one below min
  ['8194x8192', 'between 16 and 8192'], // above max (and even)
  ['1234567x2', 'expected WIDTHxHEIGHT'], // more digits than any size has
  ['641x360', 'must be even'], // odd width: yuv420p and H.264 need even sizes
  ['640x361', 'must be even'], // odd height
  [true, 'expected a size WIDTHxHEIGHT, got true'], // a boolean
];
for (const [value, says] of refused) {
  test(`refuses ${JSON.stringify(value)}`, () => {
    const r = read(value);
    assert.is(r.value, undefined);
    assert.is(r.issues.length, 1);
    assert.is(r.issues[0]!.path, 'source.size');
    assert.equal(r.issues[0]!.where, { pos: { line: 3, col: 9 } });
    assert.ok(r.issues[0]!.message.includes(says), r.issues[0]!.message);
  });
}

test('min, max and even are declared per field', () => {
  assert.is(read('1x99', odd).value, '1x99');
  assert.ok(read('101x1', odd).issues[0]!.message.includes('between 1 and 100'));
});

test('an absent size takes the default', () => {
  const issues: Issue[] = [];
  assert.is(readField(undefined, size, 'source.size', {}, issues), '1280x720');
  assert.equal(issues, []);
});

test('parseSize gives the numbers, and nothing for other text', () => {
  assert.equal(parseSize('1280x720'), { width: 1280, height: 720 });
  assert.is(parseSize('1280x'), undefined);
  assert.is(parseSize(`${'1'.repeat(1_000_000)}x1`), undefined);
});

test('the JSON Schema has the pattern, a variable alternative and the bounds in the description', () => {
  const schema = fieldSchema(size) as { description: string; default: string; anyOf: object[] };
  assert.is(schema.default, '1280x720');
  assert.is(schema.description, 'Frame size (size `WIDTHxHEIGHT`, each side 16 to 8192, even)');
  assert.equal(schema.anyOf[0], { type: 'string', pattern: '^[0-9]{1,6}x[0-9]{1,6}$' });
  assert.equal(schema.anyOf[1], { $ref: '#/definitions/variable' });
});

test('the reference names the format and the bounds', () => {
  assert.is(typeOf(size), 'size `WIDTHxHEIGHT`, each side 16 to 8192, even');
  assert.is(typeOf(odd), 'size `WIDTHxHEIGHT`, each side 1 to 100');
});

test.run();
