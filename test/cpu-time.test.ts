// CPU time per thread, per child process and per component, on real threads
// and real ffmpeg processes. References from outside the code under test: the
// kernel's whole-process figure (`process.cpuUsage`, getrusage), and ffmpeg's
// own account of its CPU (`-benchmark`, getrusage inside ffmpeg).
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Observable } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { summaryTable } from '../src/commands/stats-format.ts';
import { defineStage } from '../src/core/component.ts';
import { CpuLedger } from '../src/core/cpu-ledger.ts';
import { FfmpegProcess } from '../src/core/ffmpeg-process.ts';
import type { Frame } from '../src/core/frame.ts';
import { threadCpuClock } from '../src/core/thread-cpu.ts';
import { fakeSource, runPipeline } from './helpers/fake-pipeline.ts';
import { makeVideo, tempDir } from './helpers/media.ts';
import { withTestComponents } from './helpers/registries.ts';

const { dir, cleanup } = tempDir();
test.after(cleanup);

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Spins until this process has used `ms` more CPU (by the kernel's count).
 * It reads the count only every 100 000 steps: each reading allocates, and the
 * garbage it made woke V8's helper threads, whose CPU is in the process's
 * count but not in this thread's (a CI run saw 174 ms of 215 on this thread;
 * with a busy core beside it, 0.77 of the process's CPU at worst in 8 tries,
 * against 1.00 reading sparsely after a warm-up run).
 */
function burn(ms: number): void {
  const until = processCpuMs() + ms;
  let x = 0;
  while (processCpuMs() < until) {
    for (let i = 0; i < 100_000; i++) x += Math.sqrt(x + 1);
  }
}

test("the main thread's clock counts its own work, and nothing while it waits", async () => {
  const clock = threadCpuClock();
  assert.ok(clock, 'Linux has /proc/thread-self');
  // Once unmeasured: V8 compiles the loop on a helper thread the first time.
  burn(30);
  const t0 = clock();
  const p0 = processCpuMs();
  burn(200);
  const thread = clock() - t0;
  const whole = processCpuMs() - p0;
  // The process figure also holds V8's helper threads: the thread's is at most that.
  assert.ok(thread <= whole + 1, `thread ${thread} ms, process ${whole} ms`);
  assert.ok(thread >= 0.85 * whole, `thread ${thread} ms, process ${whole} ms`);
  const idle0 = clock();
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(clock() - idle0 < 20, `${clock() - idle0} ms while asleep`);
});

test("a worker's clock is its own: the main thread's does not move while it works", async () => {
  const clock = threadCpuClock()!;
  const main0 = clock();
  const p0 = processCpuMs();
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { openSync, readSync } = require('node:fs');
     const fd = openSync('/proc/thread-self/schedstat', 'r');
     const buf = Buffer.alloc(128);
     const read = () => Number.parseInt(buf.toString('latin1', 0, readSync(fd, buf, 0, 128, 0)), 10) / 1e6;
     const start = read();
     const until = Date.now() + 300;
     let x = 0;
     while (Date.now() < until) x += Math.sqrt(x + 1);
     parentPort.postMessage(read() - start);`,
    { eval: true },
  );
  const workerMs = await new Promise<number>((resolve) => worker.once('message', resolve));
  await worker.terminate();
  const mainMs = clock() - main0;
  const whole = processCpuMs() - p0;
  assert.ok(workerMs > 100, `the worker ran ${workerMs} ms`);
  assert.ok(workerMs <= whole, `worker ${workerMs} ms within the process's ${whole} ms`);
  assert.ok(mainMs < workerMs / 2, `main ${mainMs} ms while the worker spun ${workerMs} ms`);
});

test('threads a component starts are claimed, and read once more before they stop', async () => {
  const ledger = new CpuLedger();
  const account = ledger.account('decoder');
  // A thread that spins 300 ms, then idles until it is terminated.
  const worker = await account.claimNewThreads(
    () =>
      new Worker(
        `const { parentPort } = require('node:worker_threads');
         const until = Date.now() + 300;
         let x = 0;
         while (Date.now() < until) x += Math.sqrt(x + 1);
         parentPort.postMessage('spun');
         setInterval(() => {}, 1000);`,
        { eval: true },
      ),
  );
  await new Promise((resolve) => worker.once('message', resolve));
  account.readThreads();
  await worker.terminate();
  ledger.stop();
  const ms = ledger.byComponent().get('decoder')!;
  // Spinning by the wall clock: at most 300 ms of CPU, less if it lost its core.
  assert.ok(ms > 100 && ms < 1000, `claimed threads ${ms} ms`);
});

/** An x264 encode of a generated clip, with ffmpeg's own CPU report (-benchmark). */
function encodeJob(cpu: ReturnType<CpuLedger['account']>, frames: number) {
  let benchMs: number | undefined;
  const proc = new FfmpegProcess({
    args: [
      ...['-loglevel', 'info', '-nostats', '-benchmark'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25'],
      ...['-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'medium', '-f', 'null', '-'],
    ],
    errorCode: 'STAGE_FAILED',
    task: 'encoding a test clip',
    cpu,
    onStderrLine: (line) => {
      const m = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(line);
      if (m) benchMs = (Number(m[1]) + Number(m[2])) * 1000;
    },
  });
  return proc.exited.then((exit) => {
    assert.is(exit.code, 0, proc.stderrTail());
    assert.ok(benchMs !== undefined, 'ffmpeg printed its bench line');
    return benchMs!;
  });
}

test('each ffmpeg process is charged to its component, as ffmpeg itself counts its CPU', async () => {
  const ledger = new CpuLedger();
  // Two at once, of different sizes: they overlap, and may end in the same turn.
  const [aMs, bMs] = await Promise.all([
    encodeJob(ledger.account('a'), 120),
    encodeJob(ledger.account('b'), 60),
  ]);
  await new Promise((r) => setImmediate(r));
  const byComponent = ledger.byComponent();
  const summary = ledger.summary()!;
  for (const [name, reported] of [
    ['a', aMs],
    ['b', bMs],
  ] as const) {
    const ours = byComponent.get(name)!;
    // Clock ticks are 10 ms; ffmpeg reads its clock just before it tears down.
    assert.ok(
      ours >= reported - 20 && ours <= reported * 1.1 + 50,
      `${name}: ours ${ours} ms, ffmpeg's ${reported} ms`,
    );
  }
  assert.ok(Math.abs(summary.childrenMs - (aMs + bMs)) <= 0.1 * (aMs + bMs) + 50);
});

test('in a pipeline: each stage its own work, and the rows plus the rest add up to the total', async () => {
  const BURN_MS = 15;
  const FRAMES = 20;
  const burner = defineStage({
    type: 'burner',
    doc: 'test: spends CPU on every frame',
    options: {},
    create: () => (frames$) =>
      new Observable<Frame>((sub) =>
        frames$.subscribe({
          next: (f) => {
            burn(BURN_MS);
            sub.next(f);
          },
          error: (e) => sub.error(e),
          complete: () => sub.complete(),
        }),
      ),
  });
  const sleeper = defineStage({
    type: 'sleeper',
    doc: 'test: waits on every frame, using no CPU',
    options: {},
    create: () => (frames$) =>
      new Observable<Frame>((sub) =>
        frames$.subscribe({
          next: (f) => setTimeout(() => sub.next(f), 5),
          error: (e) => sub.error(e),
          complete: () => setTimeout(() => sub.complete(), 10),
        }),
      ),
  });
  const registries = withTestComponents({
    sources: [fakeSource('tiny')],
    stages: [burner, sleeper],
  });
  const { result, error } = await runPipeline(
    `name: t
source: { type: tiny, frames: ${FRAMES} }
stages: [ { type: burner }, { type: sleeper } ]
sinks: [ { type: null } ]
`,
    registries,
  );
  assert.is(error, undefined);
  const meters = result!.meters;
  const cpu = result!.cpu!;
  const burnMs = meters.find((m) => m.name === 'burner')!.cpuMs!;
  const sleepMs = meters.find((m) => m.name === 'sleeper')!.cpuMs!;
  assert.ok(burnMs >= 0.9 * FRAMES * BURN_MS, `burner ${burnMs} ms`);
  assert.ok(sleepMs < 0.2 * burnMs, `sleeper ${sleepMs} ms beside the burner's ${burnMs}`);
  const rows = meters.reduce((a, m) => a + (m.cpuMs ?? 0), 0);
  const accounted = rows + cpu.mainOutsideMs + cpu.otherThreadsMs;
  // Rounded per row (±0.5 each) and read a moment apart.
  assert.ok(
    Math.abs(accounted - cpu.totalMs) <= 5,
    `rows ${rows} + outside ${cpu.mainOutsideMs} + other ${cpu.otherThreadsMs} vs total ${cpu.totalMs}`,
  );
  const table = summaryTable(meters, result!.health, cpu).split('\n');
  assert.match(table[0]!, /max ms {2}cpu s/);
  assert.match(table.at(-1)!, /^cpu: [\d.]+ s in [\d.]+ s = [\d.]+ of \d+ cores/);
});

test("detect: the inference worker's threads are the stage's, not 'other threads'", async () => {
  const video = await makeVideo(join(dir, 'detect.mp4'), { frames: 40, size: '320x240' });
  const { result, error } = await runPipeline(
    `name: t
source: { type: file, path: ${video} }
stages: [ { type: detect, threads: 1 } ]
sinks: [ { type: null } ]
`,
    withTestComponents({}),
  );
  assert.is(error, undefined);
  const cpu = result!.cpu!;
  const detect = result!.meters.find((m) => m.name === 'detect')!.cpuMs!;
  // Inference is most of this pipeline's work; unclaimed, it would be "other
  // threads" (which still hold V8's compiler and GC threads starting the worker).
  assert.ok(detect > 0.6 * cpu.totalMs, `detect ${detect} of ${cpu.totalMs} ms`);
  assert.ok(
    cpu.otherThreadsMs < 0.25 * cpu.totalMs,
    `other threads ${cpu.otherThreadsMs} of ${cpu.totalMs} ms`,
  );
});

test.run();
