// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} in pipeline files
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { pipelineJsonSchema } from '../src/config/json-schema.ts';
import { parsePipeline } from '../src/config/load.ts';
import { fakeRegistries } from './config-fakes.ts';
import { schemaErrors } from './config-mini-validator.ts';

const registries = fakeRegistries();
// biome-ignore lint/suspicious/noExplicitAny: tests walk the generated schema freely
type Json = any;
const schema = pipelineJsonSchema(registries) as Json;

test('is draft-07 JSON that survives a JSON round trip', () => {
  assert.is(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(JSON.parse(JSON.stringify(schema)), schema);
  assert.is(schema.additionalProperties, false);
  assert.equal(schema.required, ['source', 'sinks']);
});

test('has one oneOf entry per registered type, told apart by a type const', () => {
  const types = (s: Json) => s.oneOf.map((v: Json) => v.properties.type.const);
  assert.equal(types(schema.properties.source), ['movie', 'testpattern']);
  assert.equal(types(schema.properties.stages.items), ['detect', 'mirror', 'resize', 'track']);
  assert.equal(types(schema.properties.sinks.items), ['file', 'jsonl', 'websocket']);
  for (const variant of schema.properties.stages.items.oneOf) {
    assert.is(variant.additionalProperties, false);
    assert.ok(variant.required.includes('type'));
  }
});

test('options carry doc, default, bounds and enums from the declarations', () => {
  const track = schema.properties.stages.items.oneOf.find(
    (v: Json) => v.properties.type.const === 'track',
  );
  assert.equal(track.properties.iou, {
    description: 'minimum overlap to match a track',
    default: 0.3,
    anyOf: [{ type: 'number', minimum: 0, maximum: 1 }, { $ref: '#/definitions/variable' }],
  });
  assert.equal(track.properties.maxAge.anyOf[0].type, 'integer');
  assert.is(track.description, 'gives detections track ids');
  const maxInFlight = schema.properties.maxInFlight;
  assert.equal(
    [maxInFlight.anyOf[0].minimum, maxInFlight.anyOf[0].maximum, maxInFlight.default],
    [1, 64, 4],
  );
  const fps = schema.properties.source.oneOf.find(
    (v: Json) => v.properties.type.const === 'testpattern',
  ).properties.fps;
  assert.is(fps.anyOf[0].exclusiveMinimum, 0);
});

test('sinks include the common queue and policy options, policy default by lossless', () => {
  const sink = (name: string) =>
    schema.properties.sinks.items.oneOf.find((v: Json) => v.properties.type.const === name);
  assert.equal(sink('file').properties.policy.anyOf[0].enum, [
    'block',
    'drop-oldest',
    'drop-newest',
  ]);
  assert.is(sink('file').properties.policy.default, 'block');
  assert.is(sink('websocket').properties.policy.default, 'drop-oldest');
  assert.equal(sink('jsonl').properties.queue.anyOf[0].minimum, 1);
  assert.equal(sink('file').required, ['type', 'path']);
});

const valid = `
name: demo
maxInFlight: 2
source: { type: testpattern, fps: 12.5 }
stages:
  - { type: resize, width: 320 }
  - { type: detect, classes: [person], input: { width: 320 }, device: 0 }
sinks:
  - { type: file, path: a.mp4, queue: 4 }
  - { type: websocket, policy: drop-newest }
`;

test('accepts a valid pipeline, as parsePipeline does', () => {
  parsePipeline(valid, 'demo.yaml', { registries, env: {} });
  assert.equal(schemaErrors(schema, parse(valid)), []);
});

test('number, boolean and enum options also accept a ${VAR} reference', () => {
  const yaml = `
maxInFlight: \${JOBS:-4}
source: { type: testpattern, fps: '\${FPS}', pattern: '\${PATTERN:-bars}' }
sinks: [{ type: file, path: '\${OUT}', policy: '\${POLICY}' }]
`;
  assert.equal(schemaErrors(schema, parse(yaml)), []);
  const env = { FPS: '10', POLICY: 'block', OUT: 'a.mp4' };
  parsePipeline(yaml, 'demo.yaml', { registries, env });
  assert.ok(
    schemaErrors(
      schema,
      parse('maxInFlight: four\nsource: { type: testpattern }\nsinks: [{ type: file, path: a }]'),
    ).length > 0,
  );
  assert.ok(
    schemaErrors(
      schema,
      parse(
        "maxInFlight: '${1X}'\nsource: { type: testpattern }\nsinks: [{ type: file, path: a }]",
      ),
    ).length > 0,
  );
});

// Each mistake is rejected by both the schema and parsePipeline.
const invalid: [string, string][] = [
  [
    'unknown stage type',
    'source: { type: testpattern }\nstages: [{ type: trak }]\nsinks: [{ type: file, path: a }]',
  ],
  ['unknown option', 'source: { type: testpattern, fsp: 3 }\nsinks: [{ type: file, path: a }]'],
  [
    'out of range',
    'maxInFlight: 65\nsource: { type: testpattern }\nsinks: [{ type: file, path: a }]',
  ],
  ['missing required', 'source: { type: movie }\nsinks: [{ type: file, path: a }]'],
  ['enum', 'source: { type: testpattern }\nsinks: [{ type: file, path: a, policy: fast }]'],
  ['no sinks', 'source: { type: testpattern }\nsinks: []'],
  [
    'unknown top-level key',
    'source: { type: testpattern }\nsinks: [{ type: file, path: a }]\nextra: 1',
  ],
];

for (const [name, yaml] of invalid) {
  test(`rejects: ${name}`, () => {
    assert.ok(schemaErrors(schema, parse(yaml)).length > 0);
    assert.throws(() => parsePipeline(yaml, 'x.yaml', { registries, env: {} }));
  });
}

test.run();
