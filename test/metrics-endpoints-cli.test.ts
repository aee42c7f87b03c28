/**
 * `framewire run` with a top-level `metrics:` key, as a user runs it: a real
 * testsrc pipeline (ffmpeg, in real time) into jsonl and null sinks, scraped
 * over HTTP while it runs.
 *
 * What is asserted, honestly: every scrape parses as strict Prometheus text;
 * counters never go down between scrapes; within one scrape a sink has not
 * written more than it received nor received more than the source sent, and
 * its service-time histogram counts exactly the frames it wrote; /healthz is
 * 200 on every scrape; /readyz, once 200, stays 200 (any 503 comes first and
 * says why); the final `--json-stats` is at least the last scrape and exact
 * against the known frame count. The server closes with the run, so no scrape
 * can see the very end: the exact end-to-end equality of /metrics and the run's
 * final meters is asserted in-process in metrics-endpoints.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, spawnCli, tempDir } from './helpers/media.ts';
import { type Family, parsePrometheusText, sampleValue } from './helpers/prometheus-text.ts';

const { dir, cleanup } = tempDir();
test.after(cleanup);

interface Reply {
  status: number;
  type: string;
  body: string;
}

function get(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Meter {
  name: string;
  kind: string;
  framesIn: number;
  framesOut: number;
  dropped: number;
  processHistogram: { count: number };
}

const COUNTERS = [
  'framewire_frames_in_total',
  'framewire_frames_out_total',
  'framewire_frames_dropped_total',
] as const;
const COMPONENTS = ['source:testsrc', 'sink:jsonl', 'sink:null'];

/** The counters of one scrape: `name component` → value. */
function countersOf(families: Map<string, Family>): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of COUNTERS) {
    for (const component of COMPONENTS) {
      out.set(`${name} ${component}`, sampleValue(families, name, { component }));
    }
  }
  return out;
}

test('a running pipeline is scraped: strict text, monotonic counters, health and readiness, bounded by --json-stats', async () => {
  const frames = 40;
  writeFileSync(
    join(dir, 'scraped.yaml'),
    [
      'name: scraped',
      'metrics: { port: 0 }',
      `source: { type: testsrc, size: 64x48, rate: 10, duration: ${frames / 10}, realtime: true }`,
      'sinks:',
      '  - { type: jsonl, path: out.jsonl }',
      '  - { type: "null" }',
    ].join('\n'),
  );
  const proc = spawnCli(['run', 'scraped.yaml', '--json-stats', 'stats.json'], { cwd: dir });
  let stderr = '';
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    proc.on('close', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  const base = await new Promise<string>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      const m = /^metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics$/m.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exit.then(() => reject(new Error(`exited before logging the URL:\n${stderr}`)));
  });

  const scrapes: Map<string, number>[] = [];
  const readiness: Reply[] = [];
  let healthz = 0;
  let histogramChecks = 0;
  while (exited === undefined) {
    try {
      const h = await get(`${base}/healthz`);
      assert.equal([h.status, h.body], [200, 'ok\n']);
      healthz++;
      readiness.push(await get(`${base}/readyz`));
      const m = await get(`${base}/metrics`);
      if (m.status === 503) {
        // Before the pipeline is assembled; only ever before the first real scrape.
        assert.is(scrapes.length, 0);
        assert.is(m.body, 'starting: the pipeline is opening its source\n');
        await sleep(50);
        continue;
      }
      assert.is(m.status, 200, m.body);
      assert.is(m.type, 'text/plain; version=0.0.4; charset=utf-8');
      const families = parsePrometheusText(m.body);
      const counters = countersOf(families);
      const previous = scrapes.at(-1);
      for (const [key, v] of counters) {
        if (previous)
          assert.ok(v >= previous.get(key)!, `${key} went from ${previous.get(key)} to ${v}`);
      }
      const c = (name: string, component: string) => counters.get(`${name} ${component}`)!;
      for (const sink of ['sink:jsonl', 'sink:null']) {
        assert.ok(c('framewire_frames_out_total', sink) <= c('framewire_frames_in_total', sink));
        assert.ok(
          c('framewire_frames_in_total', sink) <= c('framewire_frames_out_total', 'source:testsrc'),
        );
        // One snapshot per scrape: the histogram counts what the same scrape says was written.
        assert.is(
          sampleValue(families, 'framewire_process_seconds_count', { component: sink }),
          c('framewire_frames_out_total', sink),
        );
        histogramChecks++;
      }
      // Ready stays ready with testsrc; a 503 just before may have turned 200 since.
      if (readiness.at(-1)!.status === 200) assert.is(sampleValue(families, 'framewire_ready'), 1);
      scrapes.push(counters);
    } catch (err) {
      // The server closes with the run: a refused or cut request is the end, if the process ends.
      if (!isConnectionError(err)) throw err;
      const code = await Promise.race([exit, sleep(10_000).then(() => 'still running')]);
      assert.not.equal(
        code,
        'still running',
        `metrics endpoint gone while running: ${String(err)}`,
      );
      break;
    }
    await sleep(150);
  }
  const code = await exit;
  assert.is(code, 0, stderr);

  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as { meters: Meter[] };
  const final = new Map<string, number>();
  for (const m of stats.meters) {
    final.set(`framewire_frames_in_total ${m.name}`, m.framesIn);
    final.set(`framewire_frames_out_total ${m.name}`, m.framesOut);
    final.set(`framewire_frames_dropped_total ${m.name}`, m.dropped);
  }
  const last = scrapes.at(-1)!;
  for (const [key, v] of last)
    assert.ok(v <= final.get(key)!, `${key}: scraped ${v}, final ${final.get(key)}`);
  // The run itself, against what we know from outside: 4 s at 10 fps, every frame to both sinks.
  for (const m of stats.meters) assert.equal([m.name, m.framesOut, m.dropped], [m.name, frames, 0]);
  const lines = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n');
  assert.is(lines.length, frames);

  // It was scraped while running, mid-stream, and often enough to mean something.
  assert.ok(scrapes.length >= 3, `${scrapes.length} scrapes`);
  assert.ok(histogramChecks >= 6);
  assert.ok(healthz >= scrapes.length);
  const midway = scrapes.filter((s) => {
    const out = s.get('framewire_frames_out_total source:testsrc')!;
    return out > 0 && out < frames;
  });
  assert.ok(midway.length >= 2, `${midway.length} scrapes mid-stream`);
  // Readiness: any 503 comes before the first 200, with its reason, and 200 stays.
  const firstReady = readiness.findIndex((r) => r.status === 200);
  assert.ok(firstReady >= 0, 'never ready');
  for (const r of readiness.slice(0, firstReady)) {
    assert.is(r.status, 503);
    assert.match(
      r.body,
      /^(starting: the pipeline is opening its source|waiting for the first frame from source:testsrc)\n$/,
    );
  }
  for (const r of readiness.slice(firstReady)) assert.equal([r.status, r.body], [200, 'ready\n']);
});

function isConnectionError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE';
}

test('a metrics port already in use: exit 1 within seconds, naming the port, before the source opens', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    writeFileSync(
      join(dir, 'busy.yaml'),
      [
        `metrics: { port: ${port} }`,
        'source: { type: testsrc, size: 64x48, rate: 10, duration: 1 }',
        'sinks: [ { type: jsonl, path: busy.jsonl } ]',
      ].join('\n'),
    );
    const r = await runCli(['run', 'busy.yaml', '--json-stats', 'busy.json'], { cwd: dir });
    assert.is(r.code, 1, r.stderr);
    assert.equal(r.stderr.split('\n'), [
      `framewire: metrics: port ${port} is already in use (127.0.0.1:${port})`,
      '  hint: stop what uses it, or choose another port',
      '',
    ]);
    const stats = JSON.parse(readFileSync(join(dir, 'busy.json'), 'utf8')) as {
      reason: string;
      error: { code: string; component: string };
      meters: unknown[];
    };
    assert.equal(
      [stats.reason, stats.error.code, stats.error.component],
      ['failed', 'CONFIG_INVALID', 'metrics'],
    );
    assert.equal(stats.meters, []);
    // Nothing was opened: the sink never created its file.
    assert.throws(() => readFileSync(join(dir, 'busy.jsonl')));
  } finally {
    await new Promise<void>((r) => blocker.close(() => r()));
  }
});

test('framewire validate reports a bad metrics key at its line and column (exit 2)', async () => {
  writeFileSync(
    join(dir, 'bad-metrics.yaml'),
    ['metrics:', '  port: 99999', 'source: { type: testsrc }', 'sinks: [ { type: "null" } ]'].join(
      '\n',
    ),
  );
  const r = await runCli(['validate', 'bad-metrics.yaml'], { cwd: dir });
  assert.is(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /bad-metrics\.yaml:2:9: metrics\.port: must be between 0 and 65535, got 99999/,
  );
});

test.run();
