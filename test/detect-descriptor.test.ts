import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDescriptor, parseDescriptor } from '../src/models/descriptor.ts';
import { resolveModelSpec } from '../src/models/model-spec.ts';
import type { InferenceBackend, TensorInfo } from '../src/models/session.ts';

/** A backend that only describes a model (spec resolution never runs it). */
function described(input: TensorInfo, metadata: Record<string, string> = {}): InferenceBackend {
  return {
    inputs: [input],
    outputs: [],
    metadata,
    provider: 'fake',
    run: async () => [],
    close: async () => {},
  };
}

test('every shipped descriptor in models/ is valid', async () => {
  const files = readdirSync('models').filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const d = await loadDescriptor(join('models', f));
    assert.ok(d.modelPath.endsWith('.onnx'), f);
  }
});

test('descriptor mistakes are reported together, with positions and allowed values', () => {
  const text = 'model: x.onnx\nlayout: NCWH\nsize: [640]\nfoo: 1\n';
  try {
    parseDescriptor(text, 'bad.yaml');
    assert.unreachable();
  } catch (err) {
    const m = (err as Error).message;
    assert.match(m, /bad\.yaml: 3 problems/);
    assert.match(m, /bad\.yaml:2:9: layout: "NCWH" is not allowed\n {2}did you mean "NCHW"\?/);
    assert.match(m, /bad\.yaml:3:7: size: needs at least 2 items/);
    assert.match(m, /bad\.yaml:4:1: foo: unknown key "foo"/);
  }
});

test('defaults come from the input shape and type, then metadata, then framewire defaults', async () => {
  const cases = [
    // A fixed NCHW float input: size from the shape, 0–1 scaling, letterbox 114.
    {
      input: { name: 'images', dims: [1, 3, 480, 640], type: 'float32' },
      expect: { width: 640, height: 480, layout: 'NCHW', dtype: 'float32', scale: 1 / 255 },
    },
    // TF-style NHWC uint8 with dynamic size: layout from the shape, size from metadata imgsz.
    {
      input: { name: 'x', dims: ['batch', 'h', 'w', 3], type: 'uint8' },
      meta: { imgsz: '[320, 416]' },
      expect: { width: 416, height: 320, layout: 'NHWC', dtype: 'uint8', scale: 1 },
    },
    // Fully dynamic, no metadata: 640².
    {
      input: { name: 'x', dims: ['n', 3, 'h', 'w'], type: 'float16' },
      expect: { width: 640, height: 640, layout: 'NCHW', dtype: 'float16' },
    },
  ];
  for (const c of cases) {
    const spec = await resolveModelSpec(described(c.input, c.meta));
    for (const [k, v] of Object.entries(c.expect)) {
      assert.is(spec.preprocess[k as keyof typeof spec.preprocess], v, `${c.input.name} ${k}`);
    }
    assert.is(spec.labelsFrom, 'coco80 (default)');
  }
  // The descriptor wins over everything.
  const d = parseDescriptor(
    'model: m.onnx\nsize: [256, 320]\ncolorOrder: BGR\nlabels: [a, b]\n',
    'd.yaml',
  );
  const spec = await resolveModelSpec(
    described({ name: 'images', dims: [1, 3, 640, 640], type: 'float32' }, { names: "{0: 'x'}" }),
    d,
  );
  assert.is(spec.preprocess.height, 256);
  assert.is(spec.preprocess.width, 320);
  assert.is(spec.preprocess.colorOrder, 'BGR');
  assert.equal(spec.labels, ['a', 'b']);
});

test('an Ultralytics classifier is refused with a clear message', async () => {
  const backend = described(
    { name: 'images', dims: [1, 3, 224, 224], type: 'float32' },
    { task: 'classify' },
  );
  try {
    await resolveModelSpec(backend);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /image classifier \(metadata task: classify\)/);
  }
});

test.run();
