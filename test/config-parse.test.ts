// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} in pipeline files
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type LoadOptions, parsePipeline } from '../src/config/load.ts';
import { ConfigError } from '../src/core/errors.ts';
import { fakeRegistries } from './config-fakes.ts';

const registries = fakeRegistries();
const parse = (text: string, opts: Partial<LoadOptions> = {}) =>
  parsePipeline(text, 'pipelines/demo.yaml', { registries, env: {}, ...opts });

const minimal = `
source:
  type: testpattern
sinks:
  - type: file
    path: out.mp4
`;

test('a minimal file gets every default', () => {
  const config = parse(minimal);
  assert.equal(config.file, 'pipelines/demo.yaml');
  assert.is(config.name, 'demo', 'name defaults to the file name without extension');
  assert.is(config.maxInFlight, 4);
  assert.equal(config.source, {
    type: 'testpattern',
    path: 'source',
    options: { width: 640, height: 480, fps: 30, pattern: 'bars' },
  });
  assert.equal(config.stages, []);
  assert.equal(config.sinks, [
    { type: 'file', path: 'sinks[0]', options: { path: 'out.mp4', queue: 8, policy: 'block' } },
  ]);
});

test('stages and sinks keep their order and YAML paths', () => {
  const config = parse(`
name: cam
maxInFlight: 2
source: { type: movie, path: in.mp4, loop: true }
stages:
  - type: resize
    width: 320
  - type: detect
    confidence: 0.5
    classes: [person, car]
  - type: track
sinks:
  - { type: jsonl, path: out.jsonl }
  - { type: websocket, port: 9000, queue: 2 }
`);
  assert.is(config.name, 'cam');
  assert.is(config.maxInFlight, 2);
  assert.equal(config.source.options, { path: 'in.mp4', loop: true });
  assert.equal(
    config.stages.map((s) => [s.type, s.path]),
    [
      ['resize', 'stages[0]'],
      ['detect', 'stages[1]'],
      ['track', 'stages[2]'],
    ],
  );
  assert.equal(
    config.stages[0]!.options,
    { width: 320, mode: 'fit' },
    'optional height stays absent',
  );
  assert.equal(config.stages[1]!.options, {
    confidence: 0.5,
    classes: ['person', 'car'],
    input: { width: 640, height: 640 },
    device: 'cpu',
  });
  assert.equal(config.sinks[1], {
    type: 'websocket',
    path: 'sinks[1]',
    options: { port: 9000, queue: 2, policy: 'drop-oldest' },
  });
});

test('the sink policy default follows lossless; an explicit policy wins', () => {
  const config = parse(`
source: { type: testpattern }
sinks:
  - { type: file, path: a.mp4 }
  - { type: websocket }
  - { type: websocket, policy: drop-newest }
`);
  assert.equal(
    config.sinks.map((s) => s.options.policy),
    ['block', 'drop-oldest', 'drop-newest'],
  );
});

test('defaults are copied, so one config cannot change another', () => {
  const text = `source: { type: testpattern }\nstages: [{ type: detect }]\nsinks: [{ type: file, path: a }]`;
  const a = parse(text);
  (a.stages[0]!.options.input as { width: number }).width = 1;
  const b = parse(text);
  assert.equal(b.stages[0]!.options.input, { width: 640, height: 640 });
});

test('nested objects take partial values and fill the rest from field defaults', () => {
  const config = parse(`
source: { type: testpattern }
stages: [{ type: detect, input: { width: 320 } }]
sinks: [{ type: file, path: a }]
`);
  assert.equal(config.stages[0]!.options.input, { width: 320, height: 640 });
});

test('lists of mappings are validated item by item', () => {
  const config = parse(`
source: { type: testpattern }
stages:
  - type: detect
    zones:
      - { name: door, polygon: [[0, 0], [10, 0], [10, 10]] }
sinks: [{ type: file, path: a }]
`);
  assert.equal(config.stages[0]!.options.zones, [
    {
      name: 'door',
      polygon: [
        [0, 0],
        [10, 0],
        [10, 10],
      ],
    },
  ]);
});

test('a union takes the first alternative that fits (a GPU index or a device name)', () => {
  const text = (device: string) =>
    `source: { type: testpattern }\nstages: [{ type: detect, device: ${device} }]\nsinks: [{ type: file, path: a }]`;
  assert.is(parse(text('1')).stages[0]!.options.device, 1);
  assert.is(parse(text('cuda')).stages[0]!.options.device, 'cuda');
});

test('${VAR} and ${VAR:-default} come from the given environment (quoted inside { })', () => {
  const env = { IN: 'clips/a.mp4', FPS: '12.5', EMPTY: '' };
  const config = parse(
    `
source: { type: testpattern, fps: "\${FPS:-30}", width: '\${WIDTH:-320}' }
stages: []
sinks:
  - type: file
    path: out/\${NAME:-run}-$\${IN}.mp4
  - type: jsonl
    path: \${EMPTY:-fallback.jsonl}
`,
    { env },
  );
  assert.is(config.source.options.fps, 12.5, 'a whole ${…} is read as a YAML number');
  assert.is(config.source.options.width, 320, 'the default is read as YAML too');
  assert.is(config.sinks[0]!.options.path, 'out/run-${IN}.mp4', '$$ is a literal $');
  assert.is(
    config.sinks[1]!.options.path,
    'fallback.jsonl',
    ':- also applies to an empty variable',
  );
});

test('a string option gets the text of ${VAR}, not its YAML reading', () => {
  const config = parse(
    `source: { type: movie, path: '\${CLIP}' }\nsinks: [{ type: file, path: "\${OUT}" }]`,
    { env: { CLIP: '0800', OUT: 'true' } },
  );
  assert.is(config.source.options.path, '0800');
  assert.is(config.sinks[0]!.options.path, 'true');
});

test('a string option gets the text of an unquoted scalar (type: null, name: 007)', () => {
  const registries = fakeRegistries();
  const config = parsePipeline(
    'name: 007\nsource: { type: movie, path: 2024 }\nsinks: [{ type: file, path: null }]',
    'x.yaml',
    { registries, env: {} },
  );
  assert.is(config.name, '007');
  assert.is(config.source.options.path, '2024');
  assert.is(config.sinks[0]!.options.path, 'null');
});

test('an empty value (key:) means "use the default"', () => {
  const config = parse(
    'source:\n  type: testpattern\n  fps:\nstages:\nsinks: [{ type: file, path: a }]',
  );
  assert.is(config.source.options.fps, 30);
  assert.equal(config.stages, []);
});

test('anchors and aliases are followed', () => {
  const config = parse(`
source: { type: testpattern }
sinks:
  - &out { type: file, path: a.mp4 }
  - *out
`);
  assert.is(config.sinks.length, 2);
  assert.equal(config.sinks[1]!.options.path, 'a.mp4');
});

test('--set overrides values before validation, read as YAML scalars', () => {
  const config = parse(
    `
source: { type: testpattern }
stages:
  - type: resize
    width: 320
  - type: detect
sinks:
  - { type: file, path: a.mp4 }
`,
    {
      sets: [
        'stages.1.confidence=0.5',
        'sinks.0.path=out/b.mp4',
        'source.pattern=noise',
        'source.width=1280',
        'stages.0.mode=stretch',
        'maxInFlight=8',
        'name=007',
        'stages.1.input.height=320',
      ],
    },
  );
  assert.is(config.stages[1]!.options.confidence, 0.5);
  assert.equal(config.stages[1]!.options.input, { width: 640, height: 320 });
  assert.is(config.sinks[0]!.options.path, 'out/b.mp4');
  assert.is(config.source.options.pattern, 'noise');
  assert.is(config.source.options.width, 1280);
  assert.is(config.stages[0]!.options.mode, 'stretch');
  assert.is(config.maxInFlight, 8);
  assert.is(config.name, '007', 'a string option keeps the text');
});

test('--set can replace a whole component type and add keys', () => {
  const config = parse(minimal, {
    sets: ['sinks.0.type=jsonl', 'source.loop=true', 'source.type=movie', 'source.path=x'],
  });
  assert.is(config.sinks[0]!.type, 'jsonl');
  assert.equal(config.source, {
    type: 'movie',
    path: 'source',
    options: { path: 'x', loop: true },
  });
});

test('--set values are not interpolated (the shell already did that)', () => {
  const config = parse(minimal, { sets: ['sinks.0.path=$${X}'], env: { X: 'no' } });
  assert.is(config.sinks[0]!.options.path, '$${X}');
});

test('errors are ConfigError with the complete message and no stack needed', () => {
  try {
    parse('source: { type: testpattern }\nsinks: []');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ConfigError);
    assert.match((err as Error).message, /^pipelines\/demo\.yaml:2:8: sinks: /);
  }
});

test.run();
