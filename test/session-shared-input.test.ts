/**
 * Input tensors in shared memory: the detector's slots live in SharedArrayBuffers,
 * which reach the inference worker as the same memory instead of a copy. Checked
 * with real onnxruntime (the answers are computed by hand from the tiny graphs),
 * plus the detector's rule that a slot is not refilled while its run is reading it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { from, lastValueFrom, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame } from '../src/core/frame.ts';
import type { OutputTensor } from '../src/models/decoders/types.ts';
import { Detector } from '../src/models/detector.ts';
import { Preprocessor } from '../src/models/preprocess.ts';
import { type InferenceBackend, openOnnxSession } from '../src/models/session.ts';
import { openWorkerSession } from '../src/models/worker-session.ts';
import { pipelinedDetect } from '../src/stages/pipelined-detect.ts';
import { tinyModel } from './support/tiny-onnx.ts';

const { onnx } = onnxProto;

const dir = mkdtempSync(join(tmpdir(), 'framewire-shared-input-'));
/** `output0 = images × 3`, images `[1,3,4,4]`. */
const tiny = join(dir, 'tiny-times-3.onnx');
writeFileSync(tiny, tinyModel({ factor: 3 }));

const N = 1024;
const POWERS = 24;
/**
 * `out = x^(POWERS+1)` for an N×N `x`: tens of MatMuls, long enough (about a second
 * on one thread) that a run posted behind it waits in the worker's queue.
 */
const slow = join(dir, 'matmul-chain.onnx');
writeFileSync(slow, matMulChain(N, POWERS));

function matMulChain(n: number, k: number): Uint8Array {
  const square = {
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: [{ dimValue: n }, { dimValue: n }] },
    },
  };
  const node = Array.from({ length: k }, (_, i) => ({
    opType: 'MatMul',
    input: [i === 0 ? 'x' : `y${i - 1}`, 'x'],
    output: [i === k - 1 ? 'out' : `y${i}`],
    name: `matmul${i}`,
  }));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'framewire-test',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'chain',
      node,
      input: [{ name: 'x', type: square }],
      output: [{ name: 'out', type: square }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function sharedFloats(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

const DIMS = [1, 3, 4, 4];
/** 0, 1, …, 47 — and the model's answer, by hand: each × 3. */
const VALUES = Array.from({ length: 48 }, (_, i) => i);
const TIMES_3 = VALUES.map((v) => v * 3);

test('a shared feed gives the same outputs as a copied one, in the worker and in process', async () => {
  const cases = [
    // The detector's path: the worker gets a view of the caller's memory.
    { name: 'worker', open: () => openWorkerSession(tiny, { threads: 1 }) },
    // onnxruntime-node refuses shared views, so the session copies into a plain buffer.
    { name: 'in process', open: () => openOnnxSession(tiny, { threads: 1 }) },
  ];
  for (const c of cases) {
    const session = await c.open();
    try {
      const shared = sharedFloats(48);
      shared.set(VALUES);
      const plain = Float32Array.from(VALUES);
      for (const data of [plain, shared]) {
        const [out] = await session.run({ images: { type: 'float32', data, dims: DIMS } });
        assert.equal(Array.from(out!.data as Float32Array), TIMES_3, `${c.name}, ${data.buffer}`);
      }
      // The caller's shared buffer is still its own, and still shared.
      assert.ok(shared.buffer instanceof SharedArrayBuffer);
      assert.equal(Array.from(shared), VALUES);
      // Run again after refilling: a reused staging buffer must not serve stale values.
      shared.fill(1);
      const [again] = await session.run({ images: { type: 'float32', data: shared, dims: DIMS } });
      assert.equal(Array.from(again!.data as Float32Array), Array(48).fill(3), c.name);
    } finally {
      await session.close();
    }
  }
});

test('a copied feed is a snapshot taken at run(): later writes do not reach the worker', async () => {
  const session = await openWorkerSession(tiny, { threads: 1 });
  try {
    const plain = new Float32Array(48).fill(1);
    const running = session.run({ images: { type: 'float32', data: plain, dims: DIMS } });
    plain.fill(5);
    const [out] = await running;
    assert.equal(Array.from(out!.data as Float32Array), Array(48).fill(3));
  } finally {
    await session.close();
  }
});

test('a shared feed is not copied at run(): the worker reads what the memory holds when its turn comes', async () => {
  const session = await openWorkerSession(slow, { threads: 1 });
  try {
    // Keep the worker busy inside a long synchronous inference…
    let firstDone = false;
    const first = session
      .run({ x: { type: 'float32', data: new Float32Array(N * N), dims: [N, N] } })
      .then(() => {
        firstDone = true;
      });
    await new Promise((r) => setTimeout(r, 50));
    // …queue a run over zeros, then turn the memory into the identity matrix.
    const x = sharedFloats(N * N);
    const second = session.run({ x: { type: 'float32', data: x, dims: [N, N] } });
    for (let i = 0; i < N; i++) x[i * N + i] = 1;
    assert.not.ok(firstDone, 'the first run ended too soon for this test to mean anything');
    await first;
    const [out] = await second;
    // A copy taken at run() would give zeros; the identity to any power is the identity.
    const y = out!.data as Float32Array;
    let trace = 0;
    let total = 0;
    for (let i = 0; i < N * N; i++) total += y[i]!;
    for (let i = 0; i < N; i++) trace += y[i * N + i]!;
    assert.is(trace, N);
    assert.is(total, N);
  } finally {
    await session.close();
  }
});

test('Preprocessor puts its tensor in shared memory only when asked', () => {
  const spec = {
    width: 4,
    height: 4,
    layout: 'NCHW',
    colorOrder: 'RGB',
    resize: 'stretch',
    padValue: 0,
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  } as const;
  const format = { width: 4, height: 4, format: 'rgb24' } as const;
  const pixels = new Uint8Array(48).map((_, i) => i);
  for (const dtype of ['float32', 'uint8', 'float16'] as const) {
    const plain = new Preprocessor({ ...spec, dtype }, format);
    const shared = new Preprocessor({ ...spec, dtype }, format, { shared: true });
    assert.ok(plain.data.buffer instanceof ArrayBuffer, dtype);
    assert.ok(shared.data.buffer instanceof SharedArrayBuffer, dtype);
    // Same values either way (4×4 → 4×4 stretch samples every pixel as is).
    assert.equal(Array.from(shared.run(pixels)), Array.from(plain.run(pixels)), dtype);
  }
});

/** A fake backend whose runs settle only when the test says so. */
function heldBackend() {
  const held: (() => void)[] = [];
  const seen: Float32Array[] = [];
  const backend: InferenceBackend = {
    inputs: [{ name: 'images', dims: [1, 3, 64, 64], type: 'float32' }],
    outputs: [{ name: 'output0', dims: [1, 0, 6], type: 'float32' }],
    metadata: { names: "{0: 'person'}", imgsz: '[64, 64]' },
    provider: 'fake',
    run(feeds): Promise<OutputTensor[]> {
      seen.push(feeds.images!.data as Float32Array);
      return new Promise((resolve) =>
        held.push(() => resolve([{ name: 'output0', dims: [1, 0, 6], data: new Float32Array() }])),
      );
    },
    async close() {},
  };
  return { backend, held, seen };
}

function frame(seq: number): Frame {
  return {
    seq,
    pts: seq,
    time: seq,
    width: 64,
    height: 64,
    format: 'rgb24',
    data: new Uint8Array(64 * 64 * 3).fill(seq),
    sourceId: 'test',
    meta: { timings: {} },
  };
}

test('a detector slot is refilled only after its run settled', async () => {
  const fake = heldBackend();
  const d = await Detector.open({
    model: 'fake.onnx',
    confidence: 0.3,
    iou: 0.45,
    maxDetections: 10,
    decoder: 'yolo-end2end',
    backend: fake.backend,
  });
  const a = d.prepare(frame(1));
  const inferA = d.infer(a);
  // The second slot can be prepared while the first is inferred (pipelinedDetect's overlap)…
  const b = d.prepare(frame(2));
  // …but a third frame would overwrite the tensor the first run is still reading.
  assert.throws(() => d.prepare(frame(3)), /input slot 0 of 2 is still being inferred/);
  fake.held.shift()!();
  await inferA;
  const inferB = d.infer(b);
  const c = d.prepare(frame(3));
  // Both slots are shared memory, handed to the backend as they are.
  assert.ok(fake.seen[0]!.buffer instanceof SharedArrayBuffer);
  assert.is(fake.seen[1], b.feeds.images!.data);
  assert.is(c.feeds.images!.data, a.feeds.images!.data);
  fake.held.shift()!();
  await inferB;
  await d.close();
});

test('pipelinedDetect never writes a slot while its run reads it', async () => {
  // Each run reads its tensor twice, when called and when it settles a few ms later
  // (as the worker reads shared memory during the run); a refill in between shows.
  const changed: number[] = [];
  const backend: InferenceBackend = {
    ...heldBackend().backend,
    async run(feeds) {
      const data = feeds.images!.data as Float32Array;
      const before = Array.from(data);
      await new Promise((r) => setTimeout(r, 1 + (before[0]! % 3)));
      if (data.some((v, i) => v !== before[i])) changed.push(before[0]!);
      return [{ name: 'output0', dims: [1, 0, 6], data: new Float32Array() }];
    },
  };
  const d = await Detector.open({
    model: 'fake.onnx',
    confidence: 0.3,
    iou: 0.45,
    maxDetections: 10,
    decoder: 'yolo-end2end',
    backend,
  });
  const frames = Array.from({ length: 24 }, (_, i) => frame(i));
  const out = await lastValueFrom(
    from(frames).pipe(
      pipelinedDetect(d, (e) => e as Error),
      toArray(),
    ),
  );
  assert.equal(
    out.map((f) => f.seq),
    frames.map((f) => f.seq),
  );
  assert.equal(changed, []);
  await d.close();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
