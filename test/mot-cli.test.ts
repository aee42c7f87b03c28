/** `framewire eval track` and `framewire export mot` as a user runs them: real processes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evalCommand } from '../src/commands/eval.ts';
import { exportCommand } from '../src/commands/export.ts';
import { commands } from '../src/commands/index.ts';
import { FramewireError } from '../src/core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-mot-cli-'));

function framewire(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** No user-facing failure may print a stack trace. */
function assertNoStack(stderr: string): void {
  assert.not.match(stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${stderr}`);
  assert.not.match(stderr, /internal error/);
}

// One object over 4 frames; the tracker finds it in frames 1, 2 and 4 under id 1,
// plus one false positive in frame 3. Hand computation: 3 matches, 1 miss, 1 FP,
// 0 switches, 1 fragmentation; MOTA = 1 - 2/4 = 0.5; IDTP 3, IDF1 = 6/(4+4) = 0.75.
const gtPath = join(dir, 'gt.txt');
const resPath = join(dir, 'res.txt');
writeFileSync(gtPath, [1, 2, 3, 4].map((f) => `${f},1,10,10,20,40,1,1,1`).join('\n'));
writeFileSync(
  resPath,
  [
    '1,1,10,10,20,40,0.9,-1,-1,-1',
    '2,1,10,10,20,40,0.9,-1,-1,-1',
    '3,5,200,200,20,40,0.6,-1,-1,-1',
    '4,1,10,10,20,40,0.9,-1,-1,-1',
  ].join('\n'),
);

const KEYS = [
  'mota',
  'motp',
  'motpIou',
  'idf1',
  'idp',
  'idr',
  'recall',
  'precision',
  'idSwitches',
  'fragmentations',
  'mostlyTracked',
  'partiallyTracked',
  'mostlyLost',
  'falsePositives',
  'falseNegatives',
  'numGt',
  'numPredictions',
  'numMatches',
  'numObjects',
  'idtp',
  'idfp',
  'idfn',
  'numFrames',
  'iouThreshold',
];

test('eval track --json prints one object with the camelCase metrics', () => {
  const r = framewire('eval', 'track', '--gt', gtPath, '--results', resPath, '--json');
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, number>;
  assert.equal(Object.keys(out), KEYS);
  assert.is(out.mota, 0.5);
  assert.is(out.idf1, 0.75);
  assert.is(out.idSwitches, 0);
  assert.is(out.fragmentations, 1);
  assert.is(out.falsePositives, 1);
  assert.is(out.falseNegatives, 1);
  assert.is(out.numGt, 4);
  assert.is(out.iouThreshold, 0.5);
});

test('eval track prints a readable table without --json; --iou is passed through', () => {
  const r = framewire('eval', 'track', '--gt', gtPath, '--results', resPath, '--iou', '0.9');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^MOTA\s+50\.0%/m);
  assert.match(r.stdout, /^IDF1\s+75\.0%/m);
  assert.match(r.stdout, /^Fragmentations\s+1/m);
  assert.match(r.stdout, /IoU ≥ 0\.9 to match/);
});

const usageCases: { name: string; args: string[]; message: RegExp }[] = [
  // A stray positional after `track`.
  {
    name: 'stray argument',
    args: ['eval', 'track', 'x', '--gt', gtPath, '--results', resPath],
    message: /unexpected argument x/,
  },
  { name: 'no export format', args: ['export'], message: /a format is required: mot/ },
  { name: 'no export input', args: ['export', 'mot'], message: /input \.jsonl file is required/ },
  {
    name: 'missing jsonl',
    args: ['export', 'mot', join(dir, 'none.jsonl')],
    message: /no such file/,
  },
  {
    name: 'missing --results',
    args: ['eval', 'track', '--gt', gtPath],
    message: /--gt and --results are required/,
  },
  {
    name: 'bad --iou',
    args: ['eval', 'track', '--gt', gtPath, '--results', resPath, '--iou', '2'],
    message: /--iou must be/,
  },
  {
    name: 'missing file',
    args: ['eval', 'track', '--gt', join(dir, 'nope.txt'), '--results', resPath],
    message: /no such file/,
  },
  {
    name: 'unknown export format',
    args: ['export', 'csv', 'x.jsonl'],
    message: /unknown format "csv"/,
  },
];
// In-process (a process start costs seconds): the command throws a USAGE
// FramewireError, which the CLI prints without a stack and exits 2 on (as the
// malformed-file test below checks on a real process).
for (const c of usageCases) {
  test(`usage error: ${c.name}`, async () => {
    const [name, ...rest] = c.args;
    const command = name === 'eval' ? evalCommand : exportCommand;
    try {
      await command.run(rest);
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, FramewireError);
      assert.is((err as FramewireError).code, 'USAGE');
      assert.match((err as Error).message, c.message);
    }
  });
}

test('eval track: a malformed file names the line', () => {
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, '1,1,10,10,20,40,1\n0,1,10,10,20,40,1\n');
  const r = framewire('eval', 'track', '--gt', bad, '--results', resPath);
  assert.is(r.code, 2);
  assert.match(r.stderr, /bad\.txt: line 2: frame must be an integer ≥ 1/);
  assertNoStack(r.stderr);
});

test('export mot: JSON lines → MOT rows, and back through eval track', () => {
  const jsonl = join(dir, 'in.jsonl');
  const record = (seq: number, detections: object[]) =>
    JSON.stringify({
      seq,
      pts: seq * 40000,
      time: '2026-01-01T00:00:00.000Z',
      width: 640,
      height: 480,
      detections,
    });
  const person = (x: number, trackId?: number) => ({
    box: [x, 10, x + 20, 50],
    score: 0.9,
    classId: 0,
    label: 'person',
    ...(trackId === undefined ? {} : { trackId }),
  });
  writeFileSync(
    jsonl,
    [
      record(0, [person(10, 1)]),
      record(1, [person(10, 1), person(300)]), // the untracked one is left out
      record(2, []),
      record(3, [person(10, 1)]),
      '',
    ].join('\n'),
  );
  const out = join(dir, 'out.txt');
  const r = framewire('export', 'mot', jsonl, '--out', out);
  assert.is(r.code, 0, r.stderr);
  assert.is(
    readFileSync(out, 'utf8'),
    '1,1,10,10,20,40,0.9,-1,-1,-1\n2,1,10,10,20,40,0.9,-1,-1,-1\n4,1,10,10,20,40,0.9,-1,-1,-1\n',
  );
  // Against the ground truth above: 3 matches, 1 miss, no FP → MOTA 0.75.
  const m = framewire('eval', 'track', '--gt', gtPath, '--results', out, '--json');
  assert.is(JSON.parse(m.stdout).mota, 0.75);
});

test('export mot: invalid JSON names the line', async () => {
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, '{"seq":0,"detections":[]}\n{nope\n');
  try {
    await exportCommand.run(['mot', bad]);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, FramewireError);
    assert.match((err as Error).message, /line 2: not valid JSON/);
  }
});

test('help texts name the sub-modes; export is listed', () => {
  assert.match(evalCommand.help, /framewire eval track --gt GT\.txt --results/);
  assert.match(exportCommand.help, /framewire export mot IN\.jsonl/);
  assert.ok(commands.includes(exportCommand));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
