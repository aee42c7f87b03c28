// The worker-thread decoder (`worker: true`), in its own process: node-webcodecs
// 1.3 reports worker decode errors through freed memory, and mixing its worker
// decoders with decode errors in one process has crashed at exit. Clean streams
// only here; the error paths are covered with the in-thread decoder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeOperator } from '../src/stages/decode.ts';
import { context, encode, packetFrames, reference, run } from './helpers/packet-frames.ts';

const dir = mkdtempSync(join(tmpdir(), 'fw-decode-worker-'));
const file = (name: string) => join(dir, name);

test.before(() => {
  encode(file('baseline.mp4'), '320x240', ['-profile:v', 'baseline']);
  encode(file('high-bframes.mp4'), '320x240', ['-profile:v', 'high', '-bf', '3']);
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

// Each case: a file and the latency mode (slice threads vs frame threads).
const cases = [
  { name: 'baseline.mp4', optimizeForLatency: true },
  { name: 'high-bframes.mp4', optimizeForLatency: true },
  { name: 'high-bframes.mp4', optimizeForLatency: false },
];

for (const c of cases) {
  test(`${c.name}, optimizeForLatency ${c.optimizeForLatency}: bit-exact with ffmpeg, in order`, async () => {
    const ctx = context(dir);
    const input = await packetFrames(file(c.name));
    const config = { hardware: 'no-preference', worker: true, queue: 8, ...c } as const;
    const out = await run(from(input), decodeOperator(config, ctx));
    const ref = reference(file(c.name));
    const size = 320 * 240 * 1.5;
    assert.is(out.length, 50);
    out.forEach((f, i) => {
      assert.is(f, input[i]);
      assert.ok(Buffer.compare(f.data, ref.subarray(i * size, (i + 1) * size)) === 0, `frame ${i}`);
    });
    assert.equal(ctx.counts, {});
    for (const f of out) ctx.pool.release(f.data);
    assert.is(ctx.pool.outstanding, 0);
  });
}

test.run();
