// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} in pipeline files
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../src/config/load.ts';
import { ConfigError } from '../src/core/errors.ts';
import { fakeRegistries } from './config-fakes.ts';

const registries = fakeRegistries();

/** The message of the ConfigError that parsing throws. */
function errorOf(yaml: string, sets: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  try {
    parsePipeline(yaml, 'pipelines/bad.yaml', { registries, sets, env });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

interface Case {
  name: string;
  yaml: string;
  sets?: string[];
  env?: NodeJS.ProcessEnv;
  /** 1-based line the message must name as `file:LINE:`; null when no file position applies. */
  line: number | null;
  /** The YAML path (or, for whole-file problems, the subject) the message must name. */
  path: string;
  /** Further text the message must contain (hints, allowed values). */
  more?: string[];
}

const ok = 'source: { type: testpattern }\nsinks: [{ type: file, path: a.mp4 }]\n';

// Each case is one mistake a user makes; the comment says what is wrong.
const cases: Case[] = [
  // YAML syntax error: a flow list that is never closed
  {
    name: 'YAML syntax',
    yaml: 'source:\n  type: testpattern\nsinks:\n  - type: file\n    path: [a, b\nname: x\n',
    line: 6,
    path: 'YAML syntax error',
  },
  // the same key twice is a YAML error, not a silent override
  {
    name: 'duplicate key',
    yaml: 'source: { type: testpattern }\nsinks: [{ type: file, path: a }]\nsource: { type: movie }\n',
    line: 3,
    path: 'YAML syntax error',
    more: ['unique'],
  },
  // two YAML documents in one file
  {
    name: 'two documents',
    yaml: `${ok}---\nname: other\n`,
    line: 3,
    path: 'YAML syntax error',
    more: ['a pipeline file holds exactly one'],
  },
  // an unquoted ${VAR} inside { } is YAML syntax, so the message says to quote it
  {
    name: 'unquoted ${VAR} in a flow mapping',
    yaml: 'source: { type: movie, path: ${IN} }\nsinks: [{ type: file, path: a }]\n',
    line: 1,
    path: 'YAML syntax error',
    more: ['quote values that contain ${...}'],
  },
  // typo in the source type
  {
    name: 'unknown source type',
    yaml: 'source:\n  type: testpatern\nsinks: [{ type: file, path: a }]\n',
    line: 2,
    path: 'source.type',
    more: [
      'unknown source type "testpatern"',
      'did you mean "testpattern"?',
      'allowed: testpattern, movie',
    ],
  },
  // typo in a stage type: trak → track
  {
    name: 'unknown stage type',
    yaml: 'source: { type: testpattern }\nstages:\n  - type: resize\n    width: 10\n  - type: trak\nsinks: [{ type: file, path: a }]\n',
    line: 5,
    path: 'stages[1].type',
    more: ['unknown stage type "trak"', 'did you mean "track"?'],
  },
  // typo in a sink type: fiel → file
  {
    name: 'unknown sink type',
    yaml: 'source: { type: testpattern }\nsinks:\n  - type: fiel\n    path: a.mp4\n',
    line: 3,
    path: 'sinks[0].type',
    more: ['unknown sink type "fiel"', 'did you mean "file"?', 'allowed: file, jsonl, websocket'],
  },
  // misspelled `type` key: nothing else about the stage can be checked
  {
    name: 'misspelled type key',
    yaml: 'source: { type: testpattern }\nstages:\n  - tpye: track\nsinks: [{ type: file, path: a }]\n',
    line: 3,
    path: 'stages[0].tpye',
    more: ['unknown key "tpye"', 'did you mean "type"?'],
  },
  // a component without any type
  {
    name: 'missing type',
    yaml: 'source: { type: testpattern }\nstages:\n  - width: 3\nsinks: [{ type: file, path: a }]\n',
    line: 3,
    path: 'stages[0].type',
    more: ['every stage needs a type', 'allowed: resize, track, detect, mirror'],
  },
  // a component written as a bare name
  {
    name: 'component as a string',
    yaml: 'source: testpattern\nsinks: [{ type: file, path: a }]\n',
    line: 1,
    path: 'source',
    more: [
      'expected a mapping with a type, got string "testpattern"',
      'write it as "type: testpattern"',
    ],
  },
  // wrong value type: a word where an integer goes
  {
    name: 'wrong value type',
    yaml: 'source: { type: testpattern }\nstages:\n  - type: resize\n    width: abc\nsinks: [{ type: file, path: a }]\n',
    line: 4,
    path: 'stages[0].width',
    more: ['expected an integer, got string "abc"'],
  },
  // a fraction where an integer goes
  {
    name: 'not an integer',
    yaml: 'source:\n  type: testpattern\n  width: 640.5\nsinks: [{ type: file, path: a }]\n',
    line: 3,
    path: 'source.width',
    more: ['expected an integer, got 640.5'],
  },
  // out of range at the top level
  {
    name: 'maxInFlight out of range',
    yaml: `maxInFlight: 0\n${ok}`,
    line: 1,
    path: 'maxInFlight',
    more: ['must be between 1 and 64, got 0'],
  },
  // out of range in a stage
  {
    name: 'confidence out of range',
    yaml: 'source: { type: testpattern }\nstages:\n  - type: track\n  - type: detect\n    confidence: 1.5\nsinks: [{ type: file, path: a }]\n',
    line: 5,
    path: 'stages[1].confidence',
    more: ['must be between 0 and 1, got 1.5'],
  },
  // exclusive lower bound: fps must be > 0
  {
    name: 'exclusive minimum',
    yaml: 'source:\n  type: testpattern\n  fps: 0\nsinks: [{ type: file, path: a }]\n',
    line: 3,
    path: 'source.fps',
    more: ['must be greater than 0, got 0'],
  },
  // a required option left out: the message quotes its doc
  {
    name: 'missing required key',
    yaml: 'source:\n  type: movie\n  loop: true\nsinks: [{ type: file, path: a }]\n',
    line: 2,
    path: 'source.path',
    more: ['required key is missing: video file to read'],
  },
  // an option the stage does not have
  {
    name: 'unknown option key',
    yaml: 'source: { type: testpattern }\nstages:\n  - type: track\n    maxage: 10\nsinks: [{ type: file, path: a }]\n',
    line: 4,
    path: 'stages[0].maxage',
    more: ['unknown key "maxage"', 'did you mean "maxAge"?', 'allowed: iou, maxAge'],
  },
  // an option given to a stage without options of its own: only the common stage options are allowed
  {
    name: 'option of a stage without options',
    yaml: 'source: { type: testpattern }\nstages:\n  - type: mirror\n    axis: x\nsinks: [{ type: file, path: a }]\n',
    line: 4,
    path: 'stages[0].axis',
    more: ['unknown key "axis"', 'allowed: maxLatencyMs, type'],
  },
  // an unknown key at the top level
  {
    name: 'unknown top-level key',
    yaml: `${ok}stage: []\n`,
    line: 3,
    path: 'stage',
    more: ['did you mean "stages"?'],
  },
  // enum value not allowed: the sink policy
  {
    name: 'enum value',
    yaml: 'source: { type: testpattern }\nsinks:\n  - type: websocket\n    policy: drop-old\n',
    line: 4,
    path: 'sinks[0].policy',
    more: ['"drop-old" is not allowed', 'allowed: block, drop-oldest, drop-newest'],
  },
  // the common sink queue must be a positive integer
  {
    name: 'sink queue',
    yaml: 'source: { type: testpattern }\nsinks:\n  - type: file\n    path: a\n    queue: 0\n',
    line: 5,
    path: 'sinks[0].queue',
    more: ['must be at least 1, got 0'],
  },
  // a list below its minimum length
  {
    name: 'list too short',
    yaml: 'source: { type: testpattern }\nstages:\n  - type: detect\n    classes: []\nsinks: [{ type: file, path: a }]\n',
    line: 4,
    path: 'stages[0].classes',
    more: ['needs at least 1 item, got 0'],
  },
  // deep inside a list of mappings: the path names every level
  {
    name: 'nested list item',
    yaml: 'source: { type: testpattern }\nstages:\n  - type: detect\n    zones:\n      - name: door\n        polygon: [[0, 0], [1, 0], [1, 1]]\n      - name: gate\n        polygon: [[0, 0], [1, x], [1, 1]]\nsinks: [{ type: file, path: a }]\n',
    line: 8,
    path: 'stages[0].zones[1].polygon[1][1]',
    more: ['expected a number, got string "x"'],
  },
  // a list item of the wrong length
  {
    name: 'list too long',
    yaml: 'source: { type: testpattern }\nstages:\n  - type: detect\n    zones:\n      - name: door\n        polygon: [[0, 0, 0], [1, 0], [1, 1]]\nsinks: [{ type: file, path: a }]\n',
    line: 6,
    path: 'stages[0].zones[0].polygon[0]',
    more: ['takes at most 2 items, got 3'],
  },
  // ${VAR} that is not set and has no default
  {
    name: 'unset variable',
    yaml: 'source: { type: testpattern }\nsinks:\n  - type: file\n    path: ${OUT_DIR}/a.mp4\n',
    line: 4,
    path: 'sinks[0].path',
    more: ['environment variable OUT_DIR is not set', '${OUT_DIR:-value}'],
  },
  // malformed: "${" never closed
  {
    name: 'unterminated ${',
    yaml: 'source: { type: testpattern }\nsinks:\n  - type: file\n    path: out/${NAME.mp4\n',
    line: 4,
    path: 'sinks[0].path',
    more: ['unterminated "${"'],
  },
  // malformed: empty name
  {
    name: 'empty ${}',
    yaml: 'source:\n  type: movie\n  path: ${}\nsinks: [{ type: file, path: a }]\n',
    line: 3,
    path: 'source.path',
    more: ['empty variable name'],
  },
  // malformed: a name cannot start with a digit
  {
    name: 'bad variable name',
    yaml: 'source:\n  type: movie\n  path: ${1X}\nsinks: [{ type: file, path: a }]\n',
    line: 3,
    path: 'source.path',
    more: ['invalid variable reference "${1X}"'],
  },
  // empty file
  { name: 'empty file', yaml: '', line: 1, path: 'the pipeline file is empty' },
  // a file with only comments is empty too
  { name: 'only comments', yaml: '# todo\n', line: 1, path: 'the pipeline file is empty' },
  // the top level is a list, not a mapping
  {
    name: 'top level not a mapping',
    yaml: '- type: testpattern\n- type: file\n',
    line: 1,
    path: 'the pipeline file must be a mapping',
  },
  // no sinks at all
  {
    name: 'sinks missing',
    yaml: 'source: { type: testpattern }\n',
    line: 1,
    path: 'sinks',
    more: ['a pipeline needs at least one sink', 'file, jsonl, websocket'],
  },
  // an empty sinks list
  {
    name: 'sinks empty',
    yaml: 'source: { type: testpattern }\nsinks: []\n',
    line: 2,
    path: 'sinks',
    more: ['needs at least one sink, got an empty list'],
  },
  // no source
  {
    name: 'source missing',
    yaml: 'sinks: [{ type: file, path: a }]\n',
    line: 1,
    path: 'source',
    more: ['a pipeline needs a source'],
  },
  // stages given as a mapping instead of a list
  {
    name: 'stages not a list',
    yaml: 'source: { type: testpattern }\nstages:\n  type: track\nsinks: [{ type: file, path: a }]\n',
    line: 3,
    path: 'stages',
    more: ['expected a list, got a mapping'],
  },
  // bad --set: no "="
  {
    name: '--set without =',
    yaml: ok,
    sets: ['sinks.0.path'],
    line: null,
    path: '--set sinks.0.path',
    more: ['missing "="'],
  },
  // bad --set: an index past the end of the list points at the list in the file
  {
    name: '--set index beyond the list',
    yaml: ok,
    sets: ['sinks.3.path=b.mp4'],
    line: 2,
    path: 'sinks',
    more: ['--set sinks.3.path=b.mp4', 'there is no sinks[3]; the list has 1 item'],
  },
  // bad --set: a word where a list index goes
  {
    name: '--set non-numeric index',
    yaml: ok,
    sets: ['sinks.first.path=b.mp4'],
    line: null,
    path: '--set sinks.first.path=b.mp4',
    more: ['must be an index'],
  },
  // bad --set: an index into a list the file does not have
  {
    name: '--set index into an absent list',
    yaml: ok,
    sets: ['stages.0.type=track'],
    line: null,
    path: 'stages',
    more: ['--set stages.0.type=track: there is no stages[0]; the list has 0 items'],
  },
  // bad --set: a path through a single value
  {
    name: '--set below a scalar',
    yaml: ok,
    sets: ['source.type.x=1'],
    line: null,
    path: '--set source.type.x=1',
    more: ['source.type is a single value, so it has no "x"'],
  },
  // bad --set: the value is not YAML
  {
    name: '--set value not YAML',
    yaml: ok,
    sets: ['sinks.0.path=[a'],
    line: null,
    path: '--set sinks.0.path=[a',
    more: ['the value is not valid YAML'],
  },
  // --set value out of range: the message names the argument, not a file position
  {
    name: '--set value out of range',
    yaml: 'source: { type: testpattern }\nstages:\n  - type: resize\n    width: 10\n  - type: detect\nsinks: [{ type: file, path: a }]\n',
    sets: ['stages.1.confidence=2'],
    line: null,
    path: 'stages[1].confidence',
    more: ['must be between 0 and 1, got 2 (from --set stages.1.confidence=2)'],
  },
  // --set with an unknown key is caught like one in the file
  {
    name: '--set unknown key',
    yaml: ok,
    sets: ['source.fsp=10'],
    line: null,
    path: 'source.fsp',
    more: ['did you mean "fps"?', '(from --set source.fsp=10)'],
  },
];

for (const c of cases) {
  test(`error: ${c.name}`, () => {
    const message = errorOf(c.yaml, c.sets, c.env);
    if (c.line === null) {
      assert.not.match(
        message,
        /pipelines\/bad\.yaml:\d+:\d+:/,
        `no file position expected:\n${message}`,
      );
    } else {
      assert.ok(
        message.includes(`pipelines/bad.yaml:${c.line}:`),
        `line ${c.line} expected in:\n${message}`,
      );
    }
    for (const part of [c.path, ...(c.more ?? [])]) {
      assert.ok(message.includes(part), `"${part}" expected in:\n${message}`);
    }
  });
}

test('every problem of a file is reported in one pass, in file order', () => {
  const message = errorOf(`
maxInFlight: 100
source:
  type: testpattern
  fps: -1
stages:
  - type: trak
  - type: resize
    width: 0
sinks:
  - type: websocket
    port: http
`);
  const lines = message.split('\n').filter((l) => /^pipelines\/bad\.yaml:\d+:/.test(l));
  assert.equal(
    lines.map((l) => l.split(': ')[0]),
    [
      'pipelines/bad.yaml:2:14',
      'pipelines/bad.yaml:5:8',
      'pipelines/bad.yaml:7:11',
      'pipelines/bad.yaml:9:12',
      'pipelines/bad.yaml:12:11',
    ],
  );
  assert.ok(message.startsWith('pipelines/bad.yaml: 5 problems\n'));
});

test('the options of a component with an unknown type are not checked', () => {
  const message = errorOf(
    'source: { type: testpattern }\nstages: [{ type: trak, foo: 1 }]\nsinks: [{ type: file, path: a }]\n',
  );
  assert.not.ok(message.includes('foo'), message);
});

test('a value whose variable is unset is reported once, not again as a wrong type', () => {
  const message = errorOf(
    'source:\n  type: testpattern\n  fps: ${FPS}\nsinks: [{ type: file, path: a }]\n',
  );
  assert.is(message.split('\n').length, 2, message);
});

test('text that came from ${VAR} is named by its reference, never printed', () => {
  const message = errorOf(
    'source:\n  type: testpattern\n  width: ${TOKEN}\n  pattern: ${TOKEN}\nsinks: [{ type: file, path: a }]\n',
    [],
    { TOKEN: 'hunter2' },
  );
  assert.not.ok(message.includes('hunter2'), message);
  assert.ok(
    message.includes('source.width: expected an integer, got the value of "${TOKEN}"'),
    message,
  );
  assert.ok(message.includes('source.pattern: the value of "${TOKEN}" is not allowed'), message);
});

test('hints are indented lines under their problem', () => {
  const message = errorOf('source: { type: testpattern }\nsinks:\n  - type: fiel\n');
  assert.equal(message.split('\n'), [
    'pipelines/bad.yaml:3:11: sinks[0].type: unknown sink type "fiel"',
    '  did you mean "file"?',
    '  allowed: file, jsonl, websocket',
  ]);
});

test('the file name is shown as given', () => {
  try {
    parsePipeline('', '../x/p.yml', { registries, env: {} });
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).message, '../x/p.yml:1:1: the pipeline file is empty');
  }
});

test.run();
