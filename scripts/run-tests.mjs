#!/usr/bin/env node
// Runs every test/**/*.test.ts in its own Node process (uvu + tsx), two at a time
// (the machines have two cores), and ends with the line `N passed, N failed`.
// Usage: node scripts/run-tests.mjs [filter ...]  — filters match file paths.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 2);

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : findTests(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const files = findTests(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => {
      const num = (label) => Number(out.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
      const total = num('Total');
      const passed = num('Passed');
      const skipped = num('Skipped');
      // A crash before uvu's summary counts as one failure, so it cannot pass silently.
      const failed = total === 0 && code !== 0 ? 1 : total - passed - skipped;
      resolve({ file, code, signal, out, passed, failed, skipped, total, ms: Date.now() - started });
    });
  });
}

const results = [];
const queue = [...files];
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      let r = await runFile(f);
      // node-webcodecs 1.3 can crash in its native teardown after every test of a
      // file has passed (seen rarely, under load). Such a file is run once more and
      // the crash is reported either way; a crash before uvu's summary, or any
      // failed assertion, is never retried.
      if (r.code !== 0 && r.total > 0 && r.failed === 0 && r.passed + r.skipped === r.total) {
        process.stdout.write(`warn ${r.file}: all ${r.total} tests passed, then the process exited with ${r.signal ?? `code ${r.code}`}; running it again\n`);
        r = await runFile(f);
      }
      results.push(r);
      const status = r.failed > 0 || r.code !== 0 ? 'FAIL' : 'ok  ';
      process.stdout.write(
        `${status} ${r.file}  (${r.passed} passed, ${r.failed} failed, ${(r.ms / 1000).toFixed(1)}s)\n`,
      );
      if (r.failed > 0 || r.code !== 0 || process.env.TEST_VERBOSE)
        process.stdout.write(r.out + '\n');
    }
  }),
);

const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + (r.failed > 0 ? r.failed : r.code !== 0 ? 1 : 0), 0);
const skipped = results.reduce((a, r) => a + r.skipped, 0);
process.stdout.write(
  `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
