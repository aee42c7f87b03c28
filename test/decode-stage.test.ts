// Decoding is a pipeline stage of its own: after a source that emits packets
// the assembler inserts `decode`, which has its own meter (summary table,
// --json-stats) and counts lost pictures as FRAME_CORRUPT events.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries as builtIn } from '../src/components-all.ts';
import type { AnySourceDefinition, ComponentRegistries } from '../src/core/component.ts';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { defineSource, type Source, type SourceObserver } from '../src/core/component.ts';
import type { Frame, Packet } from '../src/core/frame.ts';
import { silentLogger } from '../src/core/log.ts';
import type { MeterSnapshot } from '../src/core/meter.ts';
import { Registry } from '../src/core/registry.ts';
import { runCli, tempDir } from './helpers/media.ts';
import { encode, packetFrames } from './helpers/packet-frames.ts';
import { constantRate, runFileToJsonl } from './helpers/timed-media.ts';

const { dir, cleanup } = tempDir('fw-decode-stage-');
test.after(cleanup);

test.before(() => {
  constantRate(dir, 'in.mp4', '25', 50);
  encode(join(dir, 'baseline.mp4'), '320x240', ['-profile:v', 'baseline']);
});

const names = (meters: MeterSnapshot[]) => meters.map((m) => `${m.kind}:${m.name}`).sort();

test('file (webcodecs) → jsonl: the source emits packets and a metered decode stage is inserted', async () => {
  const run = await runFileToJsonl(dir, { path: 'in.mp4', decoder: 'webcodecs' });
  assert.is(run.stream.emits, 'packets');
  assert.equal(names(run.meters), ['sink:sink:jsonl', 'source:source:file', 'stage:decode']);
  const decode = run.meters.find((m) => m.name === 'decode')!;
  assert.is(decode.framesIn, 50);
  assert.is(decode.framesOut, 50);
  assert.is(decode.dropped, 0);
  assert.equal(decode.events, {});
  assert.is(run.pts.length, 50);
});

test('file (ffmpeg) emits decoded frames: no decode stage is added', async () => {
  const run = await runFileToJsonl(dir, { path: 'in.mp4', decoder: 'ffmpeg' });
  assert.is(run.stream.emits, 'frames');
  assert.equal(names(run.meters), ['sink:sink:jsonl', 'source:source:file']);
  assert.is(run.pts.length, 50);
});

test("a pipeline whose first stage is decode keeps the user's options and gets no second one", async () => {
  const run = await runFileToJsonl(dir, { path: 'in.mp4', decoder: 'webcodecs' }, [
    { type: 'decode', queue: 2 },
  ]);
  assert.equal(names(run.meters), ['sink:sink:jsonl', 'source:source:file', 'stage:decode']);
  assert.is(run.meters.find((m) => m.name === 'decode')!.framesOut, 50);
});

test('framewire run --json-stats and the summary table have a decode row', async () => {
  const pipeline = join(dir, 'p.yaml');
  writeFileSync(
    pipeline,
    ['source: { type: file, path: in.mp4 }', 'sinks: [ { type: "null" } ]'].join('\n'),
  );
  const r = await runCli(['run', pipeline, '--json-stats', 'stats.json'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /^decode\s+50\s+50\s+0\s/m);
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
  const decode = stats.meters.find((m: MeterSnapshot) => m.name === 'decode');
  assert.is(decode.kind, 'stage');
  assert.is(decode.framesOut, 50);
});

/**
 * A test source emitting a real Baseline file's packets with some replaced by
 * garbage (a delimiter, then a slice NAL header and nonsense), against demand.
 */
function garbageSource(garbageAt: readonly number[]): AnySourceDefinition {
  return defineSource({
    type: 'garbage-packets',
    doc: 'test only',
    options: {},
    create: (): Source => {
      let frames: Frame[] = [];
      let observer: SourceObserver | undefined;
      let demand = 0;
      const flush = () => {
        while (observer && demand > 0 && frames.length > 0) {
          demand--;
          observer.next(frames.shift()!);
        }
        if (observer && frames.length === 0) observer.complete();
      };
      return {
        live: false,
        async open() {
          frames = await packetFrames(join(dir, 'baseline.mp4'));
          for (const i of garbageAt) {
            const p = frames[i]!.meta.packet as Packet;
            const data = new Uint8Array([0, 0, 0, 1, 9, 0xf0, 0, 0, 1, 0x41, 0xff, 0xff, 0xff]);
            frames[i]!.meta.packet = { ...p, data };
          }
          return {
            width: 320,
            height: 240,
            format: 'yuv420p',
            fps: 25,
            frames: 50,
            emits: 'packets',
          };
        },
        start(o) {
          observer = o;
          flush();
        },
        request(n) {
          demand += n;
          flush();
        },
        stop() {},
        async close() {},
        dropped: () => 0,
      };
    },
  });
}

test('lost pictures are FRAME_CORRUPT events on the decode meter, and every frame is accounted for', async () => {
  const sources = new Registry<AnySourceDefinition>('source');
  sources.add('garbage-packets', garbageSource([21, 22, 23]));
  const registries: ComponentRegistries = { ...builtIn, sources };
  const config = parsePipeline(
    'source: { type: garbage-packets }\nsinks: [ { type: "null" } ]',
    'test.yaml',
    { registries },
  );
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: dir,
  });
  const { meters } = await run.run();
  const decode = meters.find((m) => m.name === 'decode')!;
  const sink = meters.find((m) => m.kind === 'sink')!;
  assert.is(decode.framesIn, 50);
  assert.is(sink.framesOut + (decode.events.FRAME_CORRUPT ?? 0), 50);
  assert.ok((decode.events.FRAME_CORRUPT ?? 0) >= 1, JSON.stringify(decode.events));
  assert.is(decode.dropped, decode.events.FRAME_CORRUPT);
});

test('no source imports a stage (layering: components meet only through the runner)', () => {
  const folder = new URL('../src/sources/', import.meta.url).pathname;
  for (const name of readdirSync(folder).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(folder, name), 'utf8');
    assert.not.match(text, /from '\.\.\/(stages|sinks)\//, name);
  }
});

test.run();
