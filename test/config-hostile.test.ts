/**
 * Hostile pipeline files through the real CLI: each one must end `framewire
 * validate FILE` and `framewire run FILE` with exit code 2 and one clear
 * message naming the file and line, never a hang, a stack trace or an
 * out-of-memory crash. Every child runs with a 256 MB heap, so a blow-up
 * fails the case instead of passing slowly, and under a generous time bound
 * that only guards against hangs (it says nothing about speed: one CLI
 * start-up alone takes seconds on a loaded machine).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'framewire-hostile-'));

/** A hang guard, not a speed assertion: the unbounded cases took minutes or forever. */
const HANG_GUARD_MS = 90_000;

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
}

// A few children at a time: each start-up (tsx + every component module) takes seconds.
const MAX_PARALLEL = 3;
let running = 0;
const waiting: (() => void)[] = [];

async function framewire(args: string[]): Promise<Result> {
  while (running >= MAX_PARALLEL) await new Promise<void>((r) => waiting.push(r));
  running += 1;
  try {
    return await spawnCli(args);
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

function spawnCli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=256', '--import', tsx, cli, ...args],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      // Keep the start: a flood of output is itself a failure, asserted below.
      if (stderr.length < 100_000) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, HANG_GUARD_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, timedOut });
    });
  });
}

/**
 * An alias bomb ("billion laughs"): lines `a:` to `i:`, each level a list of
 * nine aliases of the one before, 9^9 values in all. Values so far, by hand:
 * a 10, b 91, c 820, d 7381, e 66430 (74732 in all), so the first `*l4` of
 * line 6 (`f`), at column 9, passes 100000.
 */
function aliasBomb(): string {
  const levels = ['a: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 9; i++) {
    levels.push(
      `${'abcdefghi'[i]}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  }
  return `${levels.join('\n')}\nsource:\n  type: testsrc\n  size: *l8\nsinks:\n  - type: null\n`;
}

const sized = (size: string) =>
  `source:\n  type: testsrc\n  size: ${size}\n  duration: 0.1\nsinks:\n  - type: null\n`;

interface Case {
  name: string;
  /** The file's content; a directory when undefined. */
  content?: string | Buffer;
  /** Text the message must contain. */
  says: string[];
  /** The `file:line:col:` the message starts with; absent for a directory (it has no lines). */
  at?: string;
}

const cases: Case[] = [
  // billion laughs: nine levels of anchors, each repeating the last nine times
  {
    name: 'alias bomb',
    content: aliasBomb(),
    says: ['f[0]: the file holds more than 100000 values once its aliases are expanded'],
    at: ':6:9:',
  },
  // a 200 KB source type: no "did you mean" over it, and the message shows only its start
  {
    name: 'long type',
    content: `source:\n  type: ${'x'.repeat(200_000)}\nsinks:\n  - type: null\n`,
    says: ['source.type: unknown source type "xxxxxxxx', '..."'],
    at: ':2:9:',
  },
  // a 200 KB key (explicit, since implicit keys stop at 1024 characters): the unknown-key message shows only its start
  {
    name: 'long key',
    content: `source:\n  type: testsrc\n  ? ${'k'.repeat(200_000)}\n  : 1\nsinks:\n  - type: null\n`,
    says: ['unknown key "kkkkkkkk', '..."'],
    at: ':3:5:',
  },
  // a negative height
  {
    name: 'size 640x-360',
    content: sized('"640x-360"'),
    says: ['source.size: expected WIDTHxHEIGHT', 'got string "640x-360"'],
    at: ':3:9:',
  },
  // zero pixels
  {
    name: 'size 0x0',
    content: sized('"0x0"'),
    says: ['source.size: width and height must each be between 16 and 8192, got string "0x0"'],
    at: ':3:9:',
  },
  // an empty string
  {
    name: 'size ""',
    content: sized('""'),
    says: ['source.size: expected WIDTHxHEIGHT', 'got string ""'],
    at: ':3:9:',
  },
  // a bare number
  {
    name: 'size 640',
    content: sized('640'),
    says: ['source.size: expected WIDTHxHEIGHT', 'got number 640'],
    at: ':3:9:',
  },
  // three dimensions
  {
    name: 'size 640x360x3',
    content: sized('640x360x3'),
    says: ['source.size: expected WIDTHxHEIGHT', 'got string "640x360x3"'],
    at: ':3:9:',
  },
  // fractional pixels
  {
    name: 'size 6.5x3.5',
    content: sized('6.5x3.5'),
    says: ['source.size: expected WIDTHxHEIGHT in whole pixels', 'got string "6.5x3.5"'],
    at: ':3:9:',
  },
  // an odd width: 4:2:0 video and H.264 encoders need even sizes
  {
    name: 'size 641x360',
    content: sized('641x360'),
    says: ['source.size: width and height must be even', 'got string "641x360"'],
    at: ':3:9:',
  },
  // far too large: 100000x100000 would be 15 GB a frame
  {
    name: 'size 100000x100000',
    content: sized('100000x100000'),
    says: ['between 16 and 8192'],
    at: ':3:9:',
  },
  // a NUL written as a YAML escape inside a path
  {
    name: 'NUL in a path',
    content: 'source:\n  type: file\n  path: "in\\0put.mp4"\nsinks:\n  - type: null\n',
    says: ['source.path: must not contain control characters, got U+0000 at character 3'],
    at: ':3:9:',
  },
  // a raw NUL byte in the file
  {
    name: 'raw NUL byte',
    content: 'source:\n  type: file\n  path: in\0put.mp4\nsinks:\n  - type: null\n',
    says: ['holds the control character U+0000'],
    at: ':3:11:',
  },
  // 100000 nested [: the YAML parser runs out of stack
  {
    name: '100k nested brackets',
    content: `source: ${'['.repeat(100_000)}\n`,
    says: ['nested too deeply to parse'],
    at: ':1:',
  },
  // 100 nested lists: parseable, but deeper than any pipeline
  {
    name: '100 nested lists',
    content: `source:\n  type: testsrc\nsinks: ${'['.repeat(100)}1${']'.repeat(100)}\n`,
    says: ['nested more than 64 levels deep'],
    at: ':3:',
  },
  // a 50 MB file: refused before parsing
  {
    name: '50 MB file',
    content: Buffer.alloc(50 * 1024 * 1024, 'a'),
    says: ['the pipeline file is larger than 256 KiB'],
    at: ':1:262145:',
  },
  // 40000 list items, each a mistake: the first 50 are shown, the count of the rest is given
  {
    name: '40000 bad sinks',
    content: `source:\n  type: testsrc\nsinks:\n${'  - 1\n'.repeat(40_000)}`,
    says: ['40000 problems', 'sinks[0]: expected a mapping with a type', '39950 more problems'],
    at: ':4:5:',
  },
  // 20000 unknown keys in one mapping (the YAML parser's own duplicate check is quadratic)
  {
    name: '20000 keys',
    content: `source:\n  type: testsrc\n${Array.from({ length: 20_000 }, (_, i) => `  k${i}: 1\n`).join('')}sinks:\n  - type: null\n`,
    says: ['20000 problems', 'source.k0: unknown key "k0"'],
    at: ':3:3:',
  },
  // a byte that is not UTF-8 (Latin-1 é): offset 8 + 11, column 12 of line 2
  {
    name: 'invalid UTF-8',
    content: Buffer.concat([
      Buffer.from('source:\n  type: caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]),
    says: ['not UTF-8 text: byte 0xe9 at offset 19'],
    at: ':2:12:',
  },
  // nothing at all
  { name: 'empty file', content: '', says: ['the pipeline file is empty'], at: ':1:1:' },
  // a binary file: an ELF header starts with DEL and holds NULs
  {
    name: 'binary file',
    content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]),
    says: ['holds the control character U+007F', 'is it a binary file?'],
    at: ':1:1:',
  },
  // options that contradict each other: refused by validation, not when the source starts
  {
    name: 'webcodecs asked to scale',
    content:
      'source:\n  type: file\n  path: in.mp4\n  decoder: webcodecs\n  width: 160\nsinks:\n  - type: null\n',
    says: ['source.decoder: webcodecs cannot scale'],
    at: ':4:3:',
  },
  // a misspelt model decoder: refused by validation, not after the model has loaded
  {
    name: 'unknown detect decoder',
    content:
      'source:\n  type: testsrc\nstages:\n  - type: detect\n    decoder: yolo-anchorfree\nsinks:\n  - type: null\n',
    says: [
      'stages[0].decoder: "yolo-anchorfree" is not allowed',
      'did you mean "yolo-anchor-free"?',
    ],
    at: ':5:14:',
  },
  // a directory where the file should be
  { name: 'directory', says: ['cannot read pipeline file', 'it is a directory'] },
];

for (const [i, c] of cases.entries()) {
  const file = `case-${i}.yaml`;
  if (c.content === undefined) mkdirSync(join(dir, file));
  else writeFileSync(join(dir, file), c.content);
  for (const command of ['validate', 'run']) {
    // Started at once (a few at a time), awaited by the test.
    const result = framewire([command, file]);
    test(`${command}: ${c.name}`, async () => {
      const r = await result;
      assert.not.ok(r.timedOut, `still running after ${HANG_GUARD_MS / 1000} s`);
      assert.is(r.signal, null, `killed by ${r.signal}`);
      assert.is(r.code, 2, r.stderr.slice(0, 2000));
      assert.not.match(r.stderr, /^\s+at /m, 'a stack trace was printed');
      assert.not.ok(r.stderr.includes('internal error'), r.stderr.slice(0, 2000));
      assert.ok(r.stderr.length < 20_000, `${r.stderr.length} characters of output`);
      if (c.at !== undefined) {
        assert.ok(
          r.stderr.includes(`${file}${c.at}`),
          `no ${file}${c.at} in: ${r.stderr.slice(0, 500)}`,
        );
      } else {
        assert.ok(r.stderr.includes(file), r.stderr);
      }
      for (const s of c.says)
        assert.ok(r.stderr.includes(s), `no "${s}" in: ${r.stderr.slice(0, 1000)}`);
    });
  }
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
