// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} in pipeline files
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolate } from '../src/config/interpolate.ts';

const env = { HOST: 'cam1', PORT: '554', EMPTY: '' };

// [input, expected output, whether the input was exactly one ${…}]
const good: [string, string, boolean][] = [
  ['plain text', 'plain text', false],
  ['${HOST}', 'cam1', true],
  ['rtsp://${HOST}:${PORT}/live', 'rtsp://cam1:554/live', false],
  ['${MISSING:-fallback}', 'fallback', true],
  ['${MISSING:-}', '', true], // an empty default is allowed
  ['${EMPTY:-x}', 'x', true], // like the shell, :- also covers an empty variable
  ['${EMPTY}', '', true], // without a default, empty is a value
  ['${HOST:-other}', 'cam1', true],
  ['${MISSING:-a:-b}', 'a:-b', true], // only the first :- separates
  ['$${HOST}', '${HOST}', false], // $$ escapes a literal $
  ['cost $$5', 'cost $5', false],
  ['price$5 and $', 'price$5 and $', false], // a lone $ is kept
  ['a${HOST}', 'acam1', false],
];

for (const [input, output, whole] of good) {
  test(`interpolates ${JSON.stringify(input)}`, () => {
    assert.equal(interpolate(input, env), { ok: true, value: output, whole });
  });
}

// [input, text the message must contain]
const bad: [string, string][] = [
  ['${MISSING}', 'environment variable MISSING is not set'],
  ['x ${', 'unterminated "${"'],
  ['${HOST', 'unterminated "${"'],
  ['${}', 'empty variable name'],
  ['${:-x}', 'empty variable name'],
  ['${1X}', 'invalid variable reference "${1X}"'],
  ['${A B}', 'invalid variable reference'],
  ['${HOST-x}', 'invalid variable reference'], // only :- is supported
  ['${A:-${B}}', 'nested'],
  ['${HOST} ${MISSING}', 'MISSING is not set'],
];

for (const [input, part] of bad) {
  test(`rejects ${JSON.stringify(input)}`, () => {
    const result = interpolate(input, env);
    assert.is(result.ok, false);
    if (!result.ok) {
      assert.ok(result.message.includes(part), result.message);
      assert.ok(result.hint.length > 0);
    }
  });
}

test.run();
