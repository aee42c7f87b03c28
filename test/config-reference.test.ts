import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries } from '../src/components-all.ts';
import {
  readReferenceSection,
  referenceIsCurrent,
  replaceReferenceSection,
} from '../src/config/readme-section.ts';
import { pipelineReference } from '../src/config/reference.ts';
import { fakeRegistries } from './config-fakes.ts';

const reference = pipelineReference(fakeRegistries());

test('documents the top-level keys', () => {
  assert.ok(reference.includes('### Pipeline file'));
  assert.ok(
    reference.includes(
      '| `maxInFlight` | integer, between 1 and 64 | `4` | frames inside the pipeline at once; bounds memory |',
    ),
    reference,
  );
  assert.ok(reference.includes('| `sinks` | list of sinks, at least 1 | required |'));
});

test('a table per component with type, range, default and doc of each option', () => {
  assert.ok(reference.includes('#### `track`\n\ngives detections track ids\n'));
  assert.ok(
    reference.includes(
      '| `iou` | number, between 0 and 1 | `0.3` | minimum overlap to match a track |',
    ),
  );
  assert.ok(reference.includes('| `fps` | number, greater than 0 | `30` | frames per second |'));
  assert.ok(
    reference.includes('| `path` | file path, not empty | required | video file to read |'),
  );
  assert.ok(reference.includes('| `height` | integer, at least 1 | optional |'));
  assert.ok(reference.includes('| `mode` | one of `fit`, `fill`, `stretch` | `fit` |'));
  assert.ok(reference.includes('| `classes` | list of string, at least 1 item | optional |'));
  assert.ok(reference.includes('| `zones` | list of mapping | optional | zones to report |'));
  assert.ok(reference.includes('| `zones[].name` | string, not empty | required | zone name |'));
  assert.ok(
    reference.includes(
      '| `zones[].polygon` | list of (list of number, exactly 2 items), at least 3 items | required |',
    ),
  );
  assert.ok(
    reference.includes('| `input.width` | integer, at least 32 | `640` |'),
    'nested options get dotted rows',
  );
  assert.ok(
    reference.includes('| `device` | integer, at least 0 or one of `cpu`, `cuda` | `cpu` |'),
  );
});

test('components are sorted by name within Sources, Stages and Sinks', () => {
  const order = [...reference.matchAll(/^#{3,4} (.*)$/gm)].map((m) => m[1]);
  assert.equal(order, [
    'Pipeline file',
    'Sources',
    '`movie`',
    '`testpattern`',
    'Stages',
    '`detect`',
    '`mirror`',
    '`resize`',
    '`track`',
    'Sinks',
    '`file`',
    '`jsonl`',
    '`websocket`',
  ]);
});

test('a stage without options of its own lists only the common stage options', () => {
  const mirror = reference.slice(reference.indexOf('#### `mirror`'));
  const table = mirror.slice(0, mirror.indexOf('\n\n####'));
  const rows = table.split('\n').filter((l) => l.startsWith('| `'));
  assert.equal(
    rows.map((r) => r.split(' | ')[0]),
    ['| `maxLatencyMs`'],
  );
  assert.ok(table.includes('flips frames left to right'));
});

test('sinks document the common queue and policy options with their own default policy', () => {
  const websocket = reference.slice(reference.indexOf('#### `websocket`'));
  assert.ok(
    websocket.includes(
      '| `queue` | integer, at least 1 | `8` | frames this sink may hold before its policy applies |',
    ),
  );
  assert.ok(
    websocket.includes(
      '| `policy` | one of `block`, `drop-oldest`, `drop-newest` | `drop-oldest` |',
    ),
  );
  const file = reference.slice(reference.indexOf('#### `file`'), reference.indexOf('#### `jsonl`'));
  assert.ok(file.includes('| `policy` | one of `block`, `drop-oldest`, `drop-newest` | `block` |'));
});

test('replacing the section keeps the rest of the README', () => {
  const readme =
    '# title\n\nintro\n\n<!-- reference:start -->\nold\n<!-- reference:end -->\n\nmore\n';
  const updated = replaceReferenceSection(readme, 'NEW\n')!;
  assert.is(
    updated,
    '# title\n\nintro\n\n<!-- reference:start -->\n\nNEW\n\n<!-- reference:end -->\n\nmore\n',
  );
  assert.ok(referenceIsCurrent(updated, 'NEW\n'));
  assert.not.ok(referenceIsCurrent(readme, 'NEW\n'));
  assert.is(replaceReferenceSection('# no markers\n', 'x'), undefined);
  assert.is(readReferenceSection('<!-- reference:end --> <!-- reference:start -->'), undefined);
});

test('README.md has the reference of the registered components (run `npm run docs`)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.ok(
    readReferenceSection(readme) !== undefined,
    'README.md needs <!-- reference:start --> and <!-- reference:end -->',
  );
  assert.ok(
    referenceIsCurrent(readme, pipelineReference(registries)),
    'README.md reference is stale: run `npm run docs`',
  );
});

test.run();
