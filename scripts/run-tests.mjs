#!/usr/bin/env node
// Runs every test/**/*.test.ts in its own Node process (uvu + tsx), two at a time
// (the machines have two cores), and ends with the line `N passed, N failed`.
//
// Usage: node scripts/run-tests.mjs [--dir DIR] [--suffix SUFFIX] [filter ...]
//   filters match file paths (substrings); --dir searches another directory
//   (default test/, whose fixtures/ folders are skipped); --suffix picks the file
//   names (default .test.ts). The runner's own test points them at its fixtures.
// Environment: TEST_CONCURRENCY (default 2), TEST_TIMEOUT_S (per file, default
//   300), TEST_VERBOSE=1 (print every file's output, not only failing ones').
//
// What counts: uvu's own figures (Total, Passed, Skipped) from the summary it
// prints last; failed = Total - Passed. Nothing is retried. A file also fails
// (one failure, when no assertion failed already) if it exits non-zero or by a
// signal, before or after its summary, if it prints no summary, if it runs no
// test, or if it outlives the time limit (its whole process group is killed).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function parseArgs(argv) {
  const opts = { dir: join(root, 'test'), suffix: '.test.ts', filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir' || a === '--suffix') {
      const value = argv[++i];
      if (!value) usage(`${a} needs a value`);
      if (a === '--dir') opts.dir = resolve(value);
      else opts.suffix = value;
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else opts.filters.push(a);
  }
  return opts;
}

function usage(problem) {
  process.stderr.write(
    `run-tests: ${problem}\nusage: node scripts/run-tests.mjs [--dir DIR] [--suffix SUFFIX] [filter ...]\n`,
  );
  process.exit(2);
}

function positiveNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0)) usage(`${name} must be a positive number, got "${raw}"`);
  return n;
}

const opts = parseArgs(process.argv.slice(2));
const concurrency = Math.floor(positiveNumber('TEST_CONCURRENCY', 2));
const timeoutS = positiveNumber('TEST_TIMEOUT_S', 300);

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : findTests(p);
    return e.name.endsWith(opts.suffix) ? [p] : [];
  });
}

const files = findTests(opts.dir)
  .map((f) => relative(root, f))
  .filter((f) => opts.filters.length === 0 || opts.filters.some((x) => f.includes(x)))
  .sort();

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * uvu's summary (the last one, should a file print several): Total counts the
 * tests that ran, Passed those that passed, Skipped the `.skip`ped ones (which
 * are not in Total).
 */
function summaryOf(out) {
  const re = /^\s*Total:\s+(\d+)\s*\n\s*Passed:\s+(\d+)\s*\n\s*Skipped:\s+(\d+)/gm;
  let last;
  for (let m = re.exec(out); m; m = re.exec(out)) last = m;
  if (!last) return undefined;
  return { total: Number(last[1]), passed: Number(last[2]), skipped: Number(last[3]) };
}

/** Counts of one finished file and, when it failed, why (one line each). */
function judge({ stdout, code, signal, timedOut }) {
  const summary = summaryOf(stdout.replace(ANSI, ''));
  const reasons = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (summary) {
    ({ passed, skipped } = summary);
    failed = summary.total - summary.passed;
    if (failed > 0) reasons.push(`${failed} of ${summary.total} tests failed`);
    if (summary.total === 0) reasons.push('ran no test');
  } else if (!timedOut) {
    reasons.push('printed no uvu summary (crashed or exited before its tests finished)');
  }
  const after = summary ? ' after its summary' : '';
  if (timedOut) reasons.push(`killed at the time limit of ${timeoutS} s (TEST_TIMEOUT_S)`);
  else if (signal) reasons.push(`ended by ${signal}${after}`);
  // uvu itself exits 1 when a test failed; any other exit code is news.
  else if (code !== 0 && !(code === 1 && failed > 0))
    reasons.push(`exited with code ${code}${after}`);
  // However it went wrong, a file that went wrong is at least one failure.
  if (reasons.length > 0 && failed === 0) failed = 1;
  return { passed, failed, skipped, reasons };
}

/** Process groups of the files running now, to kill on timeout or interrupt. */
const running = new Set();

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function runFile(file) {
  return new Promise((done) => {
    const started = Date.now();
    // A process group of its own, so a timeout also ends the ffmpeg (or
    // browser) processes the test started.
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    let out = '';
    let stdout = '';
    let timedOut = false;
    let exit = { code: null, signal: null };
    // uvu's summary is read from stdout alone: native libraries write to stderr
    // at any time, even between the summary's lines.
    child.stdout.on('data', (d) => {
      out += d;
      stdout += d;
    });
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutS * 1000);
    child.on('error', (err) => (out += `\nrun-tests: cannot start ${file}: ${err.message}\n`));
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Descendants that outlive the file (a leaked ffmpeg) go with it, and
      // with them the pipes they hold open.
      killGroup(child);
    });
    child.on('close', () => {
      clearTimeout(timer);
      running.delete(child);
      const verdict = judge({ stdout, ...exit, timedOut });
      done({ file, out, ...verdict, ms: Date.now() - started });
    });
  });
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const child of running) killGroup(child);
    process.stdout.write(`\nrun-tests: interrupted by ${sig}\n`);
    process.exit(1);
  });
}

const results = [];
const queue = [...files];
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const r = await runFile(f);
      results.push(r);
      const status = r.reasons.length > 0 ? 'FAIL' : 'ok  ';
      const counts = `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`;
      process.stdout.write(`${status} ${r.file}  (${counts}, ${(r.ms / 1000).toFixed(1)}s)\n`);
      if (r.reasons.length > 0 || process.env.TEST_VERBOSE) process.stdout.write(`${r.out}\n`);
      for (const reason of r.reasons) process.stdout.write(`FAIL ${r.file}: ${reason}\n`);
    }
  }),
);

const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0) + (files.length === 0 ? 1 : 0);
const skipped = results.reduce((a, r) => a + r.skipped, 0);
const failing = results.filter((r) => r.reasons.length > 0).map((r) => r.file);
process.stdout.write('\n');
if (files.length === 0)
  process.stdout.write(
    `FAIL no test file matched (${opts.suffix} under ${relative(root, opts.dir) || '.'})\n`,
  );
if (failing.length > 0) process.stdout.write(`failing files: ${failing.join(', ')}\n`);
if (skipped > 0) process.stdout.write(`${skipped} skipped\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
