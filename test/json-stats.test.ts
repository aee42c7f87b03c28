/**
 * `--json-stats FILE` is written after every run, also after a failure, and also
 * when the pipeline failed before it ran (a config error, an unreadable input):
 * then `reason` is "failed", `error` carries the code, component and message, and
 * `meters` whatever existed (none before assembly).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir();
test.after(cleanup);

interface Stats {
  v: number;
  pipeline: string;
  reason: string;
  error?: { code: string; component?: string; message: string; hint?: string };
  meters: { name: string; kind: string; framesIn: number; framesOut: number; cpuMs?: number }[];
  cpu?: {
    wallMs: number;
    totalMs: number;
    childrenMs: number;
    mainOutsideMs: number;
    otherThreadsMs: number;
  };
}

/** Runs `framewire run NAME.yaml --json-stats NAME.json` over a stale stats file. */
async function runWithStats(name: string, yaml: string) {
  writeFileSync(join(dir, `${name}.yaml`), yaml);
  // A file from an earlier run: it must be replaced, never left to pass for this run.
  writeFileSync(join(dir, `${name}.json`), '{"stale":true}\n');
  const r = await runCli(['run', `${name}.yaml`, '--quiet', '--json-stats', `${name}.json`], {
    cwd: dir,
  });
  const stats = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Stats;
  return { ...r, stats };
}

test('an input file that does not exist: stats say failed, SOURCE_OPEN, no meters', async () => {
  const r = await runWithStats(
    'missing-input',
    'source: { type: file, path: no-such-video.mp4 }\nsinks: [ { type: "null" } ]\n',
  );
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stats.v, 1);
  assert.is(r.stats.pipeline, 'missing-input');
  assert.is(r.stats.reason, 'failed');
  assert.is(r.stats.error?.code, 'SOURCE_OPEN');
  assert.is(r.stats.error?.component, 'source (file)');
  assert.match(r.stats.error!.message, /no-such-video\.mp4/);
  assert.equal(r.stats.meters, []);
});

test('a config error (exit 2): stats say failed, CONFIG_INVALID, the message names the type', async () => {
  const r = await runWithStats(
    'bad-config',
    'source: { type: testsrc, duration: 1 }\nsinks: [ { type: jsnol, path: x.jsonl } ]\n',
  );
  assert.is(r.code, 2, r.stderr);
  assert.is(r.stats.pipeline, 'bad-config');
  assert.is(r.stats.reason, 'failed');
  assert.is(r.stats.error?.code, 'CONFIG_INVALID');
  assert.match(r.stats.error!.message, /jsnol/);
  assert.equal(r.stats.meters, []);
});

test('a sink that fails at run time: stats say failed, SINK_WRITE, with the meters so far', async () => {
  const r = await runWithStats(
    'sink-fails',
    [
      'name: fails-at-run-time',
      'source: { type: testsrc, size: 64x48, rate: 25, duration: 2 }',
      'sinks: [ { type: jsonl, path: /dev/full } ]',
    ].join('\n'),
  );
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stats.pipeline, 'fails-at-run-time');
  assert.is(r.stats.reason, 'failed');
  assert.is(r.stats.error?.code, 'SINK_WRITE');
  assert.is(r.stats.error?.component, 'sinks[0] (jsonl)');
  assert.match(r.stats.error!.message, /cannot write "\/dev\/full": ENOSPC/);
  assert.equal(
    r.stats.meters.map((m) => [m.name, m.kind]),
    [
      ['source:testsrc', 'source'],
      ['sink:jsonl', 'sink'],
    ],
  );
  // The sink received frames before (and while) it failed.
  const sink = r.stats.meters.find((m) => m.kind === 'sink')!;
  assert.ok(sink.framesIn >= 1, `sink framesIn ${sink.framesIn}`);
});

test('a run that succeeds: reason end and no error', async () => {
  const r = await runWithStats(
    'succeeds',
    'source: { type: testsrc, size: 64x48, rate: 25, duration: 1 }\nsinks: [ { type: "null" } ]\n',
  );
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stats.reason, 'end');
  assert.is(r.stats.error, undefined);
  const source = r.stats.meters.find((m) => m.kind === 'source')!;
  assert.is(source.framesOut, 25);
});

test("CPU (Linux): every meter has cpuMs, and the test pattern's ffmpeg is the source's", async () => {
  const r = await runWithStats(
    'cpu',
    'source: { type: testsrc, size: 640x480, rate: 25, duration: 4 }\nsinks: [ { type: "null" } ]\n',
  );
  assert.is(r.code, 0, r.stderr);
  for (const m of r.stats.meters) assert.type(m.cpuMs, 'number', m.name);
  const cpu = r.stats.cpu!;
  // ffmpeg drawing 100 frames: tens of ms, counted in 10 ms clock ticks.
  assert.ok(cpu.childrenMs >= 10, JSON.stringify(cpu));
  const source = r.stats.meters.find((m) => m.kind === 'source')!;
  assert.ok(
    source.cpuMs! >= cpu.childrenMs,
    `source ${source.cpuMs} ms, ffmpeg ${cpu.childrenMs} ms`,
  );
  const rows = r.stats.meters.reduce((a, m) => a + m.cpuMs!, 0);
  assert.ok(
    Math.abs(rows + cpu.mainOutsideMs + cpu.otherThreadsMs - cpu.totalMs) <= 3,
    JSON.stringify(cpu),
  );
});

test('stats that cannot be written: exit 1 and one clear message naming the option', async () => {
  writeFileSync(
    join(dir, 'stats-full.yaml'),
    'source: { type: testsrc, size: 64x48, duration: 1 }\nsinks: [ { type: "null" } ]\n',
  );
  const r = await runCli(['run', 'stats-full.yaml', '--quiet', '--json-stats', '/dev/full'], {
    cwd: dir,
  });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /^framewire: cannot write --json-stats "\/dev\/full": ENOSPC/m);
  assert.not.match(r.stderr, /\n\s+at /);
});

test.run();
