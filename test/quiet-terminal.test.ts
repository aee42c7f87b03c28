/**
 * A default run prints only framewire's own lines. A model whose initializers are
 * also listed as graph inputs (older exporters; one NanoDet export has 158) makes
 * onnxruntime's native log warn once per initializer: `framewire detect` and
 * `framewire run` keep those off the terminal unless `--verbose` is given.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildConstantModel, type FixedOutput } from './helpers/onnx-build.ts';

const dir = mkdtempSync(join(tmpdir(), 'framewire-quiet-'));
const IMAGE = 'test/fixtures/chelsea.png';

/** YOLOv7 --end2end outputs (4 of them, so 4 initializers): one detection, class 0. */
const OUTPUTS: FixedOutput[] = [
  { name: 'num_dets', dims: [1, 1], type: 'int32', values: [1] },
  { name: 'det_boxes', dims: [1, 2, 4], values: [10, 10, 100, 100, 0, 0, 0, 0] },
  { name: 'det_scores', dims: [1, 2], values: [0.9, 0] },
  { name: 'det_classes', dims: [1, 2], type: 'int32', values: [0, 0] },
];
const model = join(dir, 'old-export.onnx');
writeFileSync(
  model,
  buildConstantModel(OUTPUTS, { input: [1, 3, 64, 64], initializersAsInputs: true }),
);

/** onnxruntime's native log lines look like `… [W:onnxruntime:, graph.cc:1430 Graph] …`. */
const ORT_LINE = /\[[VIWEF]:onnxruntime:/;
const INITIALIZER_WARNING = /\[W:onnxruntime:.*Initializer \w+ appears in graph inputs/g;

function framewire(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('detect: onnxruntime warnings stay off stderr; --verbose shows them', () => {
  const quiet = framewire('detect', IMAGE, '--model', model, '--json');
  assert.is(quiet.code, 0, quiet.stderr);
  assert.is(JSON.parse(quiet.stdout).detections.length, 1);
  assert.not.match(quiet.stderr, ORT_LINE);
  assert.is(quiet.stderr, '');

  const verbose = framewire('detect', IMAGE, '--model', model, '--json', '--verbose');
  assert.is(verbose.code, 0, verbose.stderr);
  // One warning per initializer listed as an input: the four outputs' values.
  assert.is(verbose.stderr.match(INITIALIZER_WARNING)?.length, OUTPUTS.length, verbose.stderr);
});

test('run: a pipeline detecting with that model prints only its summary; --verbose adds the warnings', () => {
  const pipeline = join(dir, 'pipeline.yaml');
  writeFileSync(
    pipeline,
    `name: quiet\nsource:\n  type: testsrc\n  duration: 0.2\nstages:\n  - type: detect\n    model: ${model}\nsinks:\n  - type: null\n`,
  );
  const quiet = framewire('run', pipeline);
  assert.is(quiet.code, 0, quiet.stderr);
  assert.not.match(quiet.stderr, ORT_LINE);
  // What is left is framewire's summary table, every line of it.
  const lines = quiet.stderr.trimEnd().split('\n');
  assert.match(lines[0]!, /^component\s+in\s+out\s+dropped\s+fps/);
  assert.match(lines[1]!, /^-+/);
  // Rows: a component name, then in, out, dropped and fps; source, detect, sink;
  // then the run's CPU line (Linux).
  assert.is(lines.length, 6, quiet.stderr);
  assert.ok(
    lines.slice(2, 5).every((l) => /^\S+\s+\d+\s+\d+\s+\d+\s+[\d.]+\s/.test(l)),
    quiet.stderr,
  );
  assert.match(lines[5]!, /^cpu: /);

  const verbose = framewire('run', pipeline, '--quiet', '--verbose');
  assert.is(verbose.code, 0, verbose.stderr);
  assert.is(verbose.stderr.match(INITIALIZER_WARNING)?.length, OUTPUTS.length, verbose.stderr);
});

test('run: an encode stage with its default encoder prints nothing of its own', () => {
  // openh264 (encoder: webcodecs) logs three native lines that nothing can silence,
  // which is why the default is ffmpeg: the summary table is all that is printed.
  const pipeline = join(dir, 'encode.yaml');
  writeFileSync(
    pipeline,
    `name: encode\nsource: { type: testsrc, duration: 0.2 }\nstages: [ { type: encode } ]\nsinks:\n  - { type: file, path: ${join(dir, 'out.mp4')} }\n`,
  );
  const run = framewire('run', pipeline);
  assert.is(run.code, 0, run.stderr);
  const lines = run.stderr.trimEnd().split('\n');
  assert.match(lines[0]!, /^component\s+in\s+out\s+dropped\s+fps/);
  // Source, encode, sink: every other line a row of the table, then the CPU line.
  assert.is(lines.length, 6, run.stderr);
  assert.ok(
    lines.slice(2, 5).every((l) => /^\S+\s+\d+\s+\d+\s+\d+\s+[\d.]+\s/.test(l)),
    run.stderr,
  );
  assert.match(lines[5]!, /^cpu: /);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
