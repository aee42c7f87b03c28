/**
 * Outputs travel from the inference worker through rings of shared memory once
 * their size repeats: the values are the model's (checked against the tiny
 * graph's answer, worked out by hand), slots come round every RING_SLOTS runs,
 * and outputs whose size changes keep travelling inline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OutputRingReader, OutputRingWriter, RING_SLOTS } from '../src/models/output-rings.ts';
import { openWorkerSession } from '../src/models/worker-session.ts';
import { tinyModel } from './support/tiny-onnx.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-output-rings-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** `output0 = images × 3`, images `[1,3,4,4]`. */
const tiny = join(dir, 'tiny-times-3.onnx');
writeFileSync(tiny, tinyModel({ factor: 3 }));

test('a real worker session: every run gives the model’s answer, through a ring from the second on', async () => {
  const session = await openWorkerSession(tiny, { threads: 1 });
  try {
    const buffers: ArrayBufferLike[] = [];
    for (let run = 0; run < 2 * RING_SLOTS + 1; run++) {
      const data = Float32Array.from({ length: 48 }, (_, i) => i + run * 100);
      const [out] = await session.run({ images: { type: 'float32', data, dims: [1, 3, 4, 4] } });
      assert.equal([...out!.dims], [1, 3, 4, 4]);
      assert.equal(
        [...(out!.data as Float32Array)],
        [...data].map((v) => v * 3),
        `run ${run}`,
      );
      buffers.push(out!.data.buffer);
    }
    assert.not.ok(buffers[0] instanceof SharedArrayBuffer, 'the first run is handed over');
    assert.ok(
      buffers.slice(1).every((b) => b instanceof SharedArrayBuffer),
      'then a ring',
    );
  } finally {
    await session.close();
  }
});

test('slots come round every RING_SLOTS runs, each read through the same view', () => {
  const writer = new OutputRingWriter();
  const reader = new OutputRingReader();
  const seen: Float32Array[] = [];
  for (let run = 0; run < 2 * RING_SLOTS + 2; run++) {
    const { wire, grants } = writer.place([
      { name: 'o', dims: [2], data: Float32Array.of(run, -run) },
    ]);
    reader.accept(grants);
    const [out] = reader.read(wire);
    assert.equal([...(out!.data as Float32Array)], [run, -run]);
    seen.push(out!.data as Float32Array);
  }
  // Run 0 inline; the ring starts at run 1, whose slot comes back at run 1 + RING_SLOTS.
  assert.is(seen[1 + RING_SLOTS], seen[1]);
  assert.is.not(seen[2], seen[1]);
  // Valid only until then: run 1's view now holds the last run in its slot, 1 + 2·RING_SLOTS.
  const last = 1 + 2 * RING_SLOTS;
  assert.equal([...seen[1]!], [last, -last]);
});

test('an output whose size changes travels inline, and a new ring starts when a size repeats', () => {
  const writer = new OutputRingWriter();
  const sizes = [3, 4, 5, 5, 5, 6];
  const kinds = sizes.map((n, run) => {
    const { wire, grants } = writer.place([
      { name: 'boxes', dims: [n, 4], data: new Float32Array(n * 4).fill(run) },
    ]);
    return { inline: 'data' in wire[0]!, granted: grants.length };
  });
  assert.equal(
    kinds.map((k) => (k.inline ? 'inline' : k.granted ? 'new ring' : 'ring')),
    ['inline', 'inline', 'inline', 'new ring', 'ring', 'inline'],
  );
});

test('int64 and uint8 outputs keep their type through a ring', () => {
  const writer = new OutputRingWriter();
  const reader = new OutputRingReader();
  for (let run = 0; run < 3; run++) {
    const { wire, grants } = writer.place([
      { name: 'ids', dims: [2], data: BigInt64Array.of(BigInt(run), 7n) },
      { name: 'mask', dims: [3], data: Uint8Array.of(run, 1, 2) },
    ]);
    reader.accept(grants);
    const [ids, mask] = reader.read(wire);
    assert.instance(ids!.data, BigInt64Array);
    assert.equal([...(ids!.data as BigInt64Array)], [BigInt(run), 7n]);
    assert.instance(mask!.data, Uint8Array);
    assert.equal([...mask!.data], [run, 1, 2]);
  }
});

test.run();
