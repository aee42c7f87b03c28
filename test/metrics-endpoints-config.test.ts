/**
 * The top-level `metrics: {port, host}` key: defaults, mistakes at their line
 * and column, the same port refused for `metrics` and a sink's `port` (the
 * fake websocket sink's, default 8080), and `--set metrics.port=…` adding the
 * endpoints to a file without the key.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineJsonSchema } from '../src/config/json-schema.ts';
import { parsePipeline } from '../src/config/load.ts';
import { ConfigError } from '../src/core/errors.ts';
import { fakeRegistries } from './config-fakes.ts';

const registries = fakeRegistries();
const source = 'source: { type: testpattern }\n';

function errorOf(yaml: string, sets: string[] = []): string {
  try {
    parsePipeline(yaml, 'bad.yaml', { registries, sets });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

test('metrics is optional; host defaults to 127.0.0.1; port 0 is allowed', () => {
  const none = parsePipeline(`${source}sinks: [{ type: jsonl, path: a.jsonl }]\n`, 'a.yaml', {
    registries,
  });
  assert.is(none.metrics, undefined);
  const some = parsePipeline(
    `metrics: { port: 9464 }\n${source}sinks: [{ type: jsonl, path: a.jsonl }]\n`,
    'a.yaml',
    { registries },
  );
  assert.equal(some.metrics, { port: 9464, host: '127.0.0.1' });
  const any = parsePipeline(
    `metrics: { port: 0, host: 0.0.0.0 }\n${source}sinks: [{ type: jsonl, path: a.jsonl }]\n`,
    'a.yaml',
    { registries },
  );
  assert.equal(any.metrics, { port: 0, host: '0.0.0.0' });
});

// Each case is one mistake; `at` is the exact start of its `file:line:col: path: message` line.
const cases: { name: string; yaml: string; sets?: string[]; at: string; more?: string }[] = [
  {
    name: 'port missing',
    yaml: `metrics: { host: 0.0.0.0 }\n${source}sinks: [{ type: jsonl, path: a.jsonl }]\n`,
    at: 'bad.yaml:1:10: metrics.port: required key is missing',
  },
  {
    name: 'port out of range',
    yaml: `metrics:\n  port: 70000\n${source}sinks: [{ type: jsonl, path: a.jsonl }]\n`,
    at: 'bad.yaml:2:9: metrics.port: must be between 0 and 65535, got 70000',
  },
  {
    name: 'a misspelt key',
    yaml: `metrics:\n  prot: 9464\n${source}sinks: [{ type: jsonl, path: a.jsonl }]\n`,
    at: 'bad.yaml:2:3: metrics.prot: unknown key "prot"',
    more: 'did you mean "port"?',
  },
  {
    name: 'not a mapping',
    yaml: `metrics: 9464\n${source}sinks: [{ type: jsonl, path: a.jsonl }]\n`,
    at: 'bad.yaml:1:10: metrics: expected a mapping, got number 9464',
  },
  {
    name: 'the websocket sink on the metrics port, written',
    yaml: `metrics: { port: 9000 }\n${source}sinks:\n  - type: websocket\n    port: 9000\n`,
    at: 'bad.yaml:5:11: sinks[0].port: port 9000 is already used by metrics.port (line 1, column 18)',
    more: 'the metrics endpoint and each serving sink need their own port',
  },
  {
    name: 'the websocket sink on the metrics port by its default (8080): reported at the sink',
    yaml: `metrics: { port: 8080 }\n${source}sinks:\n  - type: jsonl\n    path: a.jsonl\n  - type: websocket\n`,
    at: 'bad.yaml:6:5: sinks[1].port: port 8080 is already used by metrics.port (line 1, column 18)',
  },
  {
    name: 'the clash made by --set names the argument',
    yaml: `metrics: { port: 9000 }\n${source}sinks: [{ type: websocket, port: 9001 }]\n`,
    sets: ['sinks.0.port=9000'],
    at: 'bad.yaml: sinks[0].port: port 9000 is already used by metrics.port (line 1, column 18) (from --set sinks.0.port=9000)',
  },
];

for (const c of cases) {
  test(`refused: ${c.name}`, () => {
    const message = errorOf(c.yaml, c.sets);
    // A line of its own: the first, or one of several problems.
    assert.ok(
      message.split('\n').some((line) => line.startsWith(c.at)),
      message,
    );
    if (c.more) assert.ok(message.includes(c.more), message);
  });
}

test('--set metrics.port=… adds the endpoints to a pipeline file that has no metrics key', () => {
  const config = parsePipeline(`${source}sinks: [{ type: jsonl, path: a.jsonl }]\n`, 'a.yaml', {
    registries,
    sets: ['metrics.port=9464'],
  });
  assert.equal(config.metrics, { port: 9464, host: '127.0.0.1' });
});

test('the JSON Schema knows metrics: port required, host with its default', () => {
  const schema = pipelineJsonSchema(registries) as {
    properties: Record<
      string,
      { properties: Record<string, { default?: unknown }>; required: string[] }
    >;
  };
  const metrics = schema.properties.metrics!;
  assert.equal(metrics.required, ['port']);
  assert.is(metrics.properties.host!.default, '127.0.0.1');
  assert.ok(metrics.properties.port);
});

test.run();
