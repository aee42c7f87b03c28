/**
 * Thread settings reach onnxruntime. onnxruntime-node cannot read session
 * options back from a session, so the test records the options object that
 * `InferenceSession.create` receives (the real create still runs, on a real
 * model) and asserts on it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import { ConfigError, type FramewireError } from '../src/core/errors.ts';
import { openOnnxSession } from '../src/models/session.ts';
import { tempDir } from './helpers/media.ts';
import { tinyModel } from './support/tiny-onnx.ts';

const { dir, cleanup } = tempDir('framewire-threads-');
const model = join(dir, 'tiny.onnx');
writeFileSync(model, tinyModel({ factor: 2 }));

/** Opens the model with `opts` and returns what `InferenceSession.create` was given. */
async function optionsReaching(
  opts: Parameters<typeof openOnnxSession>[1],
): Promise<ort.InferenceSession.SessionOptions> {
  const real = ort.InferenceSession.create;
  const seen: ort.InferenceSession.SessionOptions[] = [];
  ort.InferenceSession.create = ((path: string, options: ort.InferenceSession.SessionOptions) => {
    seen.push(options);
    return (
      real as (p: string, o: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>
    ).call(ort.InferenceSession, path, options);
  }) as typeof real;
  try {
    const session = await openOnnxSession(model, opts);
    // A real session: it runs, so onnxruntime accepted every option.
    const out = await session.run({
      images: { type: 'float32', data: new Float32Array(48).fill(1.5), dims: [1, 3, 4, 4] },
    });
    assert.is(out[0]!.data[0], 3);
    await session.close();
  } finally {
    ort.InferenceSession.create = real;
  }
  assert.is(seen.length, 1);
  return seen[0]!;
}

test('threads, spinning, inter-op threads, execution mode and graph level reach InferenceSession.create', async () => {
  const options = await optionsReaching({
    threads: 2,
    spinning: false,
    interOpThreads: 1,
    executionMode: 'parallel',
    graphOptimization: 'basic',
  });
  assert.is(options.intraOpNumThreads, 2);
  assert.is(options.interOpNumThreads, 1);
  assert.is(options.executionMode, 'parallel');
  assert.is(options.graphOptimizationLevel, 'basic');
  assert.equal(options.executionProviders, ['cpu']);
  assert.equal(options.extra, {
    session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } },
  });
});

test('spinning on is asked for as allow_spinning 1; the defaults are no spinning and every optimisation', async () => {
  const on = await optionsReaching({ threads: 1, spinning: true });
  assert.equal(on.extra, {
    session: { intra_op: { allow_spinning: '1' }, inter_op: { allow_spinning: '1' } },
  });
  const defaults = await optionsReaching({ threads: 1 });
  assert.equal((defaults.extra as { session: { intra_op: unknown } }).session.intra_op, {
    allow_spinning: '0',
  });
  assert.is(defaults.graphOptimizationLevel, 'all');
  assert.is(defaults.executionMode, 'sequential');
  assert.is(defaults.interOpNumThreads, undefined);
});

test('bad thread settings given in code are config errors, before any provider is tried', async () => {
  for (const [opts, words] of [
    [{ threads: 0 }, /threads must be a whole number from 1 to 256, got 0/],
    [{ threads: 1.5 }, /threads must be a whole number/],
    [{ interOpThreads: -1 }, /interOpThreads must be a whole number/],
    [{ spinning: 'yes' }, /spinning must be true or false/],
    [{ executionMode: 'fast' }, /executionMode must be sequential or parallel/],
    [
      { graphOptimization: 'max' },
      /graphOptimization must be one of disabled, basic, extended, all/,
    ],
  ] as const) {
    try {
      await openOnnxSession(model, opts as never);
      assert.unreachable(`accepted ${JSON.stringify(opts)}`);
    } catch (err) {
      assert.instance(err, ConfigError, String(err));
      assert.match((err as FramewireError).message, words);
    }
  }
});

/** The ConfigError message parsing a pipeline with this detect stage gives. */
function detectConfigError(stage: string): string {
  const yaml = `source: { type: testsrc }\nstages: [ { type: detect, ${stage} } ]\nsinks: [ { type: "null" } ]\n`;
  try {
    parsePipeline(yaml, 'bad.yaml', { registries });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error(`accepted ${stage}`);
}

test('detect refuses bad threads and spinning in the pipeline file', () => {
  assert.match(detectConfigError('threads: 0'), /threads/);
  assert.match(detectConfigError('threads: 2.5'), /threads/);
  assert.match(detectConfigError('spinning: sometimes'), /spinning/);
});

test.after(cleanup);
test.run();
