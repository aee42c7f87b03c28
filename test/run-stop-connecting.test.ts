// `framewire run` installs its Ctrl-C handling before assembly: a SIGINT while
// the live source is still connecting (its open() waits until stop()) stops
// the source, says so, writes stopped stats and exits 0. In-process, with a
// fake camera that never answers and the SIGINT delivered to the handlers
// (process.emit) — a real camera URL that never answers is the rtsp source's
// end-to-end test.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runPipelineFile } from '../src/commands/run.ts';
import { defineSource } from '../src/core/component.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { tempDir } from './helpers/media.ts';
import { PacedSource } from './helpers/paced-source.ts';
import { withTestComponents } from './helpers/registries.ts';

const { dir, cleanup } = tempDir();
test.after(cleanup);

let made: PacedSource | undefined;
const unreachable = defineSource({
  type: 'unreachable',
  doc: 'test: a camera whose open() waits until stop()',
  options: {},
  create: (_config, ctx) => {
    made = new PacedSource({
      scheduler: ctx.clock.scheduler,
      count: 0,
      period: 40,
      pool: new FramePool(),
      neverConnects: true,
    });
    return made;
  },
});
const registries = withTestComponents({ sources: [unreachable] });

test('SIGINT while the source connects: stopped, a clear line, exit 0', async () => {
  const yaml = join(dir, 'camera.yaml');
  const stats = join(dir, 'camera.json');
  writeFileSync(yaml, 'source: { type: unreachable }\nsinks: [ { type: "null" } ]\n');
  const listeners = process.listenerCount('SIGINT');
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    const running = runPipelineFile([yaml, '--json-stats', stats], registries);
    // The handlers are in place before the source is even created.
    assert.is(process.listenerCount('SIGINT'), listeners + 1);
    while (!made) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    process.emit('SIGINT', 'SIGINT');
    code = await running;
  } finally {
    process.stderr.write = write;
  }
  assert.is(code, 0);
  const out = stderr.join('');
  assert.match(out, /framewire: SIGINT received/);
  assert.match(out, /framewire: stopped before the source connected\n/);
  assert.ok(made.closed, 'the source was closed');
  assert.is(process.listenerCount('SIGINT'), listeners, 'the handlers are removed');
  const doc = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(doc, { v: 1, pipeline: 'camera', reason: 'stopped', meters: [], health: {} });
});

test.run();
