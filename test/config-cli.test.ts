// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} in pipeline files
/**
 * `framewire validate` and `framewire schema` as a user runs them: a real
 * process in a temp directory, the real registered components (testsrc, file,
 * resize, decode, and the file/jsonl/null sinks), exit codes, and no stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'framewire-validate-'));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

// Processes start eagerly, a few at a time, and each test awaits its own: one
// CLI start-up (tsx + every component module) takes seconds on a loaded machine.
const MAX_PARALLEL = 3;
let running = 0;
const waiting: (() => void)[] = [];

async function framewire(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  while (running >= MAX_PARALLEL) await new Promise<void>((r) => waiting.push(r));
  running += 1;
  try {
    return await spawnCli(args, env);
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', tsx, cli, ...args],
      { cwd: dir, env: { ...process.env, ...env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const STACK = /at .*\.ts:/;

const valid = `name: demo
source:
  type: testsrc
  duration: 1
stages:
  - type: resize
    width: 320
    height: 240
sinks:
  - type: jsonl
    path: out/detections.jsonl
  - type: null
`;

file('demo.yaml', valid);
file(
  'transcode.yaml',
  'source:\n  type: file\n  path: in.mp4\nsinks:\n  - type: file\n    path: out.mp4\n',
);
file(
  'decode.yaml',
  'source:\n  type: file\n  path: in.mp4\nstages:\n  - type: decode\nsinks:\n  - type: null\n',
);

// Each case: a broken file or command line, and what stderr must say. All exit 2 without a stack trace.
const broken: { name: string; yaml?: string; args?: string[]; says: string[] }[] = [
  // YAML syntax error
  {
    name: 'syntax',
    yaml: 'source:\n  type: testsrc\nsinks: [\n',
    says: ['syntax.yaml:', 'YAML syntax error'],
  },
  // typo in a stage type
  {
    name: 'typo',
    yaml: 'source:\n  type: testsrc\nstages:\n  - type: resise\n    width: 2\n    height: 2\nsinks:\n  - type: null\n',
    says: ['typo.yaml:4:11: stages[0].type: unknown stage type "resise"', 'did you mean "resize"?'],
  },
  // typo in a sink type
  {
    name: 'sink-typo',
    yaml: 'source:\n  type: testsrc\nsinks:\n  - type: fiel\n    path: a.mp4\n',
    says: ['sink-typo.yaml:4:11: sinks[0].type', 'did you mean "file"?'],
  },
  // an unset environment variable
  {
    name: 'unset-var',
    yaml: 'source:\n  type: file\n  path: ${FRAMEWIRE_TEST_UNSET}\nsinks:\n  - type: null\n',
    says: ['unset-var.yaml:3:9: source.path: environment variable FRAMEWIRE_TEST_UNSET is not set'],
  },
  // an out-of-range option of a real component
  {
    name: 'range',
    yaml: 'source:\n  type: testsrc\nstages:\n  - type: resize\n    width: 0\n    height: 2\nsinks:\n  - type: null\n',
    says: ['range.yaml:5:12: stages[0].width: must be between'],
  },
  // an empty file
  { name: 'empty', yaml: '', says: ['empty.yaml:1:1: the pipeline file is empty'] },
  // a file that does not exist
  {
    name: 'missing',
    args: ['validate', 'nope.yaml'],
    says: ['cannot read pipeline file nope.yaml'],
  },
  // a --set without "="
  {
    name: 'bad-set',
    args: ['validate', 'demo.yaml', '--set', 'name'],
    says: ['--set name: missing "="'],
  },
  // a --set value out of range
  {
    name: 'set-range',
    args: ['validate', 'demo.yaml', '--set', 'maxInFlight=0'],
    says: ['maxInFlight: must be between 1 and 64, got 0 (from --set maxInFlight=0)'],
  },
  // no file at all
  { name: 'no-file', args: ['validate'], says: ['validate needs a pipeline file'] },
  // an option validate does not have
  {
    name: 'bad-option',
    args: ['validate', 'demo.yaml', '--fast'],
    says: ['unknown option --fast'],
  },
  // schema takes no arguments
  { name: 'schema-args', args: ['schema', 'extra'], says: ['schema takes no arguments'] },
];
for (const c of broken) if (c.yaml !== undefined) file(`${c.name}.yaml`, c.yaml);

// Started now, awaited by the tests below.
const runs = {
  valid: framewire(['validate', 'demo.yaml']),
  transcode: framewire(['validate', 'transcode.yaml']),
  decode: framewire(['validate', 'decode.yaml']),
  set: framewire([
    'validate',
    'demo.yaml',
    '--set',
    'stages.0.width=640',
    '--set',
    'sinks.1.queue=2',
  ]),
  several: framewire(['validate', 'demo.yaml', 'typo.yaml']),
  schema: framewire(['schema']),
  broken: broken.map((c) => framewire(c.args ?? ['validate', `${c.name}.yaml`])),
};

test('a valid file: exit 0 and a one-line summary', async () => {
  const r = await runs.valid;
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
  assert.is(r.stdout, 'demo.yaml: ok (source testsrc, 1 stage, 2 sinks)\n');
});

test('a file source with a file sink validates', async () => {
  const r = await runs.transcode;
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'transcode.yaml: ok (source file, 0 stages, 1 sink)\n');
});

test('a pipeline with a decode stage validates (needs the decode stage registered)', async () => {
  const r = await runs.decode;
  assert.is(r.code, 0, r.stderr);
});

test('valid --set values pass', async () => {
  const r = await runs.set;
  assert.is(r.code, 0, r.stderr);
});

broken.forEach((c, i) => {
  test(`exit 2, no stack: ${c.name}`, async () => {
    const r = await runs.broken[i]!;
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stdout, '');
    assert.not.match(r.stderr, STACK);
    assert.not.ok(r.stderr.includes('internal error'), r.stderr);
    for (const part of c.says)
      assert.ok(r.stderr.includes(part), `"${part}" expected in:\n${r.stderr}`);
  });
});

test('several files: each valid one is confirmed, the exit code reports the invalid one', async () => {
  const r = await runs.several;
  assert.is(r.code, 2);
  assert.is(r.stdout, 'demo.yaml: ok (source testsrc, 1 stage, 2 sinks)\n');
  assert.ok(r.stderr.includes('typo.yaml:4:11'));
});

test('schema prints a JSON Schema of the registered components', async () => {
  const r = await runs.schema;
  assert.is(r.code, 0, r.stderr);
  const schema = JSON.parse(r.stdout);
  assert.is(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  const types = (s: { oneOf: { properties: { type: { const: string } } }[] }) =>
    s.oneOf.map((v) => v.properties.type.const);
  assert.ok(types(schema.properties.source).includes('testsrc'));
  assert.ok(types(schema.properties.sinks.items).includes('jsonl'));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
