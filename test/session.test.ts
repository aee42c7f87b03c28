import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FramewireError } from '../src/core/errors.ts';
import type { Logger } from '../src/core/log.ts';
import { interpretMetadata, readOnnxMetadata } from '../src/models/metadata.ts';
import { parsePyLiteral } from '../src/models/python-literal.ts';
import { openOnnxSession } from '../src/models/session.ts';
import { tinyModel } from './support/tiny-onnx.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-session-'));
const good = join(dir, 'tiny.onnx');
const bytes = tinyModel({
  metadata: { author: 'Ultralytics', names: "{0: 'person', 1: 'bicycle'}" },
});
writeFileSync(good, bytes);
// Broken files named for their defect.
const truncated = join(dir, 'truncated-half.onnx');
writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
const notOnnx = join(dir, 'text-not-onnx.onnx');
writeFileSync(notOnnx, 'this is a README, not a model\n');
const empty = join(dir, 'empty.onnx');
writeFileSync(empty, '');
const unknownOp = join(dir, 'unknown-operator.onnx');
writeFileSync(unknownOp, tinyModel({ opType: 'NoSuchOperator' }));

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, warn: (m) => warnings.push(m) };
}

async function failure(p: Promise<unknown>): Promise<FramewireError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, FramewireError);
    return err as FramewireError;
  }
  throw new Error('expected a failure');
}

test('bad model files give clear coded errors', async () => {
  const cases = [
    // A path that does not exist: MODEL_MISSING with a hint.
    {
      path: join(dir, 'nope.onnx'),
      code: 'MODEL_MISSING',
      message: /model file not found: .*nope\.onnx/,
    },
    // Cut in half: the graph field runs past the end.
    { path: truncated, code: 'MODEL_INVALID', message: /is truncated/ },
    // Text: not protobuf at all.
    { path: notOnnx, code: 'MODEL_INVALID', message: /is not an ONNX model/ },
    // Zero bytes: no IR version, no graph.
    { path: empty, code: 'MODEL_INVALID', message: /is not an ONNX model/ },
    // Well-formed protobuf, but onnxruntime rejects the graph.
    { path: unknownOp, code: 'MODEL_INVALID', message: /onnxruntime cannot load .*NoSuchOperator/ },
  ];
  for (const c of cases) {
    const err = await failure(openOnnxSession(c.path));
    assert.is(err.code, c.code, c.path);
    assert.match(err.message, c.message);
    assert.ok(err.hint, `${c.path} has a hint`);
  }
});

test('runs a real model on CPU; inputs, outputs and metadata are reported', async () => {
  const log = recordingLog();
  const session = await openOnnxSession(good, { providers: ['cpu'], threads: 1, log });
  try {
    assert.is(session.provider, 'cpu');
    assert.equal(session.inputs, [{ name: 'images', dims: [1, 3, 4, 4], type: 'float32' }]);
    assert.equal(
      session.outputs.map((o) => o.name),
      ['output0'],
    );
    assert.is(session.metadata.author, 'Ultralytics');
    const data = Float32Array.from({ length: 48 }, (_, i) => i);
    const [out] = await session.run({ images: { type: 'float32', data, dims: [1, 3, 4, 4] } });
    assert.equal(out!.dims, [1, 3, 4, 4]);
    assert.is((out!.data as Float32Array)[5], 10);
    assert.equal(log.warnings, []);
  } finally {
    await session.close();
    await session.close(); // idempotent
  }
});

test('a GPU provider that is not installed falls back to CPU with ONE warning naming the install command', async () => {
  for (const providers of [['cuda'], ['tensorrt', 'cuda', 'cpu']] as const) {
    const log = recordingLog();
    const session = await openOnnxSession(good, { providers, log });
    try {
      assert.is(session.provider, 'cpu');
      assert.is(log.warnings.length, 1, log.warnings.join('\n'));
      assert.match(log.warnings[0]!, /cuda/);
      assert.match(
        log.warnings[0]!,
        /ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js/,
      );
      assert.match(log.warnings[0]!, /running on cpu/);
    } finally {
      await session.close();
    }
  }
});

test('metadata is read without loading the model; Ultralytics values are interpreted', async () => {
  const props = {
    author: 'Ultralytics',
    names: `{0: 'person', 1: "teddy's bear", 2: 'hair drier'}`,
    imgsz: '[480, 640]',
    stride: '32',
    task: 'detect',
  };
  const file = join(dir, 'meta.onnx');
  writeFileSync(file, tinyModel({ metadata: props }));
  assert.equal(await readOnnxMetadata(file), props);
  assert.equal(interpretMetadata(props), {
    ultralytics: true,
    names: ['person', "teddy's bear", 'hair drier'],
    imgsz: [480, 640],
    task: 'detect',
    stride: 32,
  });
});

test('Python literals: the subset Ultralytics writes with str()', () => {
  const cases: [string, unknown][] = [
    [
      "{0: 'a', 1: 'b'}",
      new Map([
        [0, 'a'],
        [1, 'b'],
      ]),
    ],
    ['[640, 640]', [640, 640]],
    ['(1, 3)', [1, 3]],
    [
      "{'half': False, 'dynamic': True, 'x': None}",
      new Map<unknown, unknown>([
        ['half', false],
        ['dynamic', true],
        ['x', null],
      ]),
    ],
    ["'it\\'s'", "it's"],
    ['-1.5e3', -1500],
    ['{}', new Map()],
  ];
  for (const [text, expected] of cases) assert.equal(parsePyLiteral(text), expected, text);
  for (const bad of ["{0: 'a'", '[1, 2', 'os.system("x")', "'open"]) {
    assert.throws(() => parsePyLiteral(bad), undefined, bad);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
