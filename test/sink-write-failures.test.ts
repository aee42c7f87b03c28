/**
 * A lossless sink that cannot write fails the run: exit 1, one message naming the
 * sink and the path, no stack, and no hang, wherever the write fails — at the
 * first line, mid-stream, on the last line, or because the output directory was
 * deleted while the run went on. Real write failures: /dev/full (ENOSPC at once)
 * and RLIMIT_FSIZE set on the CLI process with prlimit (EFBIG at an exact byte).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeVideo, tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir();
test.after(cleanup);

const root = new URL('..', import.meta.url).pathname;
/** Far above any normal run here; a run still going then has hung. */
const HANG_GUARD_MS = 30_000;

interface Outcome {
  code: number | null;
  stderr: string;
  hung: boolean;
}

/**
 * Runs `framewire run` on a pipeline written to the temp dir. With `fileSizeLimit`
 * the CLI runs under `prlimit --fsize`, so any write past that many bytes of a file
 * fails with EFBIG; tsx's compile cache is then kept in memory, so the limit cannot
 * truncate cache files that other runs would read.
 */
function runPipeline(
  name: string,
  yaml: string,
  opts: { fileSizeLimit?: number; whileRunning?: (running: () => boolean) => Promise<void> } = {},
): Promise<Outcome> {
  writeFileSync(join(dir, `${name}.yaml`), yaml);
  const node = [
    process.execPath,
    '--import',
    import.meta.resolve('tsx'),
    join(root, 'src/cli.ts'),
    'run',
    `${name}.yaml`,
    '--quiet',
  ];
  const limited = opts.fileSizeLimit !== undefined;
  const [cmd, ...args] = limited ? ['prlimit', `--fsize=${opts.fileSizeLimit}`, ...node] : node;
  const proc = spawn(cmd!, args, {
    cwd: dir,
    env: { ...process.env, ...(limited ? { TSX_DISABLE_CACHE: '1', TMPDIR: dir } : {}) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d));
  let hung = false;
  const guard = setTimeout(() => {
    hung = true;
    proc.kill('SIGKILL');
  }, HANG_GUARD_MS);
  void opts.whileRunning?.(() => proc.exitCode === null && proc.signalCode === null);
  return new Promise((resolve) => {
    proc.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr, hung });
    });
  });
}

function assertFailed(r: Outcome, message: RegExp): void {
  assert.not.ok(r.hung, `the run hung; stderr so far: ${r.stderr}`);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  assert.not.match(r.stderr, /internal error/);
}

/** 50 frames of 64x48 (2 s at 25 fps) from the test pattern. */
const SOURCE = 'source: { type: testsrc, size: 64x48, rate: 25, duration: 2 }';
const FRAMES = 50;

/**
 * The bytes each of the 50 lines takes, by hand from the JSON-lines contract:
 * seq, pts (µs at 25 fps), an ISO time of 24 characters, the size, no detections.
 */
const LINE_BYTES = Array.from(
  { length: FRAMES },
  (_, i) =>
    `{"seq":${i},"pts":${i * 40_000},"time":"2026-01-01T00:00:00.000Z","width":64,"height":48,"detections":[]}\n`
      .length,
);
const TOTAL_BYTES = LINE_BYTES.reduce((a, b) => a + b, 0);

/** How many whole lines fit in `limit` bytes, and the bytes they take. */
function wholeLines(limit: number): { lines: number; bytes: number } {
  let bytes = 0;
  let lines = 0;
  while (lines < FRAMES && bytes + LINE_BYTES[lines]! <= limit) bytes += LINE_BYTES[lines++]!;
  return { lines, bytes };
}

/** The file holds exactly `lines` whole JSON lines, seq 0 to lines - 1, and nothing else. */
function assertWholeLines(path: string, lines: number): void {
  const text = readFileSync(path, 'utf8');
  assert.ok(text.endsWith('\n'), 'no partial last line');
  const records = text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.equal(
    records.map((r) => r.seq),
    Array.from({ length: lines }, (_, i) => i),
  );
}

test('the hand-computed size is what a run that can write everything writes (exit 0)', async () => {
  // The control for the limits below: exactly TOTAL_BYTES allowed is enough.
  const r = await runPipeline(
    'exact-limit',
    `${SOURCE}\nsinks: [ { type: jsonl, path: out/exact.jsonl } ]\n`,
    { fileSizeLimit: TOTAL_BYTES },
  );
  assert.not.ok(r.hung);
  assert.is(r.code, 0, r.stderr);
  assert.is(statSync(join(dir, 'out/exact.jsonl')).size, TOTAL_BYTES);
  assertWholeLines(join(dir, 'out/exact.jsonl'), FRAMES);
});

const cases: {
  what: string;
  sinks: string;
  limit?: number;
  message: RegExp;
  /** The output file: after the failure it keeps only the lines that fit whole. */
  kept?: { path: string; lines: number };
}[] = [
  {
    // /dev/full refuses the very first write with ENOSPC.
    what: 'a full disk at the first line',
    sinks: '[ { type: jsonl, path: /dev/full } ]',
    message: /^framewire: sinks\[0\] \(jsonl\): cannot write "\/dev\/full": ENOSPC/m,
  },
  {
    // The failing sink is named by its own index, not the first sink's.
    what: 'the second of two sinks, at the first line',
    sinks: '[ { type: "null" }, { type: jsonl, path: /dev/full } ]',
    message: /^framewire: sinks\[1\] \(jsonl\): cannot write "\/dev\/full": ENOSPC/m,
  },
  {
    // 2000 bytes end inside the 21st line of 50: that write fails with EFBIG, and the
    // part of it that was written is cut off again.
    what: 'a file-size limit mid-stream',
    sinks: '[ { type: jsonl, path: out/mid.jsonl } ]',
    limit: 2000,
    message: /^framewire: sinks\[0\] \(jsonl\): cannot write "out\/mid.jsonl": EFBIG/m,
    kept: { path: 'out/mid.jsonl', lines: wholeLines(2000).lines },
  },
  {
    // One byte short: only the last line's newline cannot be written, after the
    // source has ended, so only the sink's final flush can report it.
    what: 'the last byte of the last line',
    sinks: '[ { type: jsonl, path: out/last.jsonl } ]',
    limit: TOTAL_BYTES - 1,
    message: /^framewire: sinks\[0\] \(jsonl\): cannot write "out\/last.jsonl": EFBIG/m,
    kept: { path: 'out/last.jsonl', lines: FRAMES - 1 },
  },
];

for (const c of cases) {
  test(`jsonl: ${c.what} fails the run (exit 1, sink and path named, no stack, no hang)`, async () => {
    const r = await runPipeline(
      c.what.replace(/\W+/g, '-'),
      `${SOURCE}\nsinks: ${c.sinks}\n`,
      c.limit === undefined ? {} : { fileSizeLimit: c.limit },
    );
    assertFailed(r, c.message);
    if (c.kept) assertWholeLines(join(dir, c.kept.path), c.kept.lines);
  });
}

test('jsonl from a file source: a limit mid-stream fails the run and stops the reader', async () => {
  // The file source reads through ffmpeg paused by backpressure: stopping it early
  // must still let the run end.
  await makeVideo(join(dir, 'in.mp4'), { frames: 100, size: '64x48' });
  const r = await runPipeline(
    'file-source',
    'source: { type: file, path: in.mp4 }\nsinks: [ { type: jsonl, path: out/file.jsonl } ]\n',
    { fileSizeLimit: 1500 },
  );
  assertFailed(r, /^framewire: sinks\[0\] \(jsonl\): cannot write "out\/file.jsonl": EFBIG/m);
  // Same frame size and rate as the test pattern, so the same lines fit.
  assertWholeLines(join(dir, 'out/file.jsonl'), wholeLines(1500).lines);
});

test('jsonl: the output directory deleted mid-run fails the run instead of writing into nothing', async () => {
  // An endless live source: only noticing the deletion can end this run. On Linux
  // the open file keeps accepting writes after its directory is gone, and all of
  // it vanishes on close, so every write "succeeds" while everything is lost.
  const out = join(dir, 'gone');
  mkdirSync(out, { recursive: true });
  const file = join(out, 'lines.jsonl');
  const r = await runPipeline(
    'deleted-dir',
    [
      'source: { type: testsrc, size: 64x48, rate: 25, live: true }',
      'sinks: [ { type: jsonl, path: gone/lines.jsonl } ]',
    ].join('\n'),
    {
      whileRunning: async (running) => {
        while (running() && (!existsSync(file) || statSync(file).size === 0)) {
          await new Promise((r) => setTimeout(r, 50));
        }
        rmSync(out, { recursive: true, force: true });
      },
    },
  );
  assertFailed(
    r,
    /^framewire: sinks\[0\] \(jsonl\): "gone\/lines.jsonl" was deleted while being written .*lost/m,
  );
  assert.not.ok(existsSync(out), 'the directory is not silently re-created');
});

test.run();
