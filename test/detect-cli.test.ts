/** `framewire detect` as a user runs it: a real process, real ffmpeg, the embedded model. */
import { spawn, spawnSync } from 'node:child_process';
import { ffmpegPath } from '../src/commands/media-io.ts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import { tinyModel } from './support/tiny-onnx.ts';
import * as assert from 'uvu/assert';

const dir = mkdtempSync(join(tmpdir(), 'framewire-detect-cli-'));

function framewire(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `framewire` without blocking, so independent cases can run side by side. */
function framewireAsync(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** No user-facing failure may print a stack trace. */
function assertNoStack(stderr: string): void {
  assert.not.match(stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${stderr}`);
  assert.not.match(stderr, /internal error/);
}

test('detect IMAGE --json prints exactly the output contract', () => {
  const r = framewire('detect', 'test/fixtures/chelsea.png', '--json');
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(Object.keys(out), ['width', 'height', 'detections']);
  assert.is(out.width, 451);
  assert.is(out.height, 300);
  const detections = out.detections as Record<string, unknown>[];
  assert.ok(detections.length >= 1);
  for (const d of detections) {
    assert.equal(Object.keys(d), ['box', 'score', 'classId', 'label']);
    assert.is((d.box as number[]).length, 4);
    assert.ok((d.box as number[]).every((v) => typeof v === 'number' && v >= 0));
    assert.ok(typeof d.score === 'number' && d.score >= 0.4 && d.score <= 1);
  }
  assert.is(detections[0]!.label, 'cat');
  assert.is(detections[0]!.classId, 15);
});

test('detect IMAGE prints a table; --out writes an annotated PNG', () => {
  const out = join(dir, 'annotated.png');
  const r = framewire('detect', 'test/fixtures/coffee.png', '--out', out);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /600x400, 1 detection/);
  assert.match(r.stdout, /cup\s+0\.\d\d\s+\d+, \d+, \d+, \d+/);
  const check = spawnSync(ffmpegPath, ['-hide_banner', '-i', out], { encoding: 'utf8' });
  assert.match(check.stderr, /Video: png, rgb24.*600x400/, 'the written PNG decodes');
});

test('detect VIDEO --json prints one contract line per frame, in order', () => {
  const video = join(dir, 'three-frames.mkv');
  const made = spawnSync(ffmpegPath, [
    ...['-hide_banner', '-loglevel', 'error', '-loop', '1', '-i', 'test/fixtures/chelsea.png'],
    ...['-vf', 'scale=450:300', '-frames:v', '3', '-c:v', 'ffv1', video],
  ]);
  assert.is(made.status, 0, String(made.stderr));
  const r = framewire('detect', video, '--json', '--classes', 'cat');
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(
    lines.map((l) => [l.seq, l.width, l.height]),
    [
      [0, 450, 300],
      [1, 450, 300],
      [2, 450, 300],
    ],
  );
  for (const l of lines) {
    assert.equal(Object.keys(l), ['seq', 'width', 'height', 'detections']);
    assert.is((l.detections as { label: string }[])[0]!.label, 'cat');
  }
});

test('eval scores the embedded model against YOLO labels of the fixtures', () => {
  // The hand-labelled boxes of detect-embedded.test.ts, as YOLO txt (class cx cy w h, normalized).
  const labels = join(dir, 'labels');
  mkdirSync(labels);
  const boxes: [string, number, number, number, number[]][] = [
    ['astronaut', 512, 512, 0, [20, 15, 365, 512]],
    ['chelsea', 451, 300, 15, [0, 0, 400, 300]],
    ['coffee', 600, 400, 41, [172, 18, 410, 300]],
    ['motorcycle_left', 741, 500, 3, [90, 75, 685, 450]],
  ];
  for (const [name, w, h, cls, [x1, y1, x2, y2]] of boxes) {
    const row = [cls, (x1! + x2!) / 2 / w, (y1! + y2!) / 2 / h, (x2! - x1!) / w, (y2! - y1!) / h];
    writeFileSync(join(labels, `${name}.txt`), `${row.join(' ')}\n`);
  }
  const r = framewire('eval', '--images', 'test/fixtures', '--annotations', labels, '--json');
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { result: { map50: number; images: number } };
  assert.is(report.result.images, 4);
  // 101-point interpolation sums to 1 up to float rounding.
  assert.ok(report.result.map50 > 0.999, `every object found at IoU 0.5: ${report.result.map50}`);
  const bad = framewire('eval', '--images', join(dir, 'none'), '--annotations', labels);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--images .*none: no such directory/);
  assertNoStack(bad.stderr);
});

test('bad usage and bad inputs: exit 2 or 1, one clear message, no stack', async () => {
  const badDescriptor = join(dir, 'bad.yaml');
  writeFileSync(badDescriptor, 'model: m.onnx\nlayout: NCWH\n');
  const notOnnx = join(dir, 'readme-not-onnx.onnx');
  writeFileSync(notOnnx, 'hello\n');
  const model = tinyModel({ dims: [1, 3, 64, 64] });
  const truncated = join(dir, 'truncated-half.onnx');
  writeFileSync(truncated, model.subarray(0, Math.floor(model.length / 2)));
  // A valid model whose single output [1,3,64,64] looks like no detector family.
  const noDecoder = join(dir, 'image-to-image.onnx');
  writeFileSync(noDecoder, model);
  const cases = [
    // A truncated model file.
    {
      args: ['test/fixtures/chelsea.png', '--model', truncated],
      code: 1,
      message: /is truncated/,
    },
    // A model whose outputs fit no decoder: the error names the outputs and the decoders.
    {
      args: ['test/fixtures/chelsea.png', '--model', noDecoder],
      code: 1,
      message: /no decoder recognizes the model outputs output0 \[1,3,64,64\]/,
    },
    // A model path that does not exist: runtime failure.
    {
      args: ['test/fixtures/chelsea.png', '--model', join(dir, 'missing.onnx')],
      code: 1,
      message: /model file not found/,
    },
    // A file that is not ONNX.
    {
      args: ['test/fixtures/chelsea.png', '--model', notOnnx],
      code: 1,
      message: /not an ONNX model/,
    },
    // A shipped descriptor whose .onnx has not been exported next to it.
    {
      args: ['test/fixtures/chelsea.png', '--model', 'models/yolov8n.yaml'],
      code: 1,
      message: /model file not found: .*yolov8n\.onnx \(`model:` of .*yolov8n\.yaml\)/,
    },
    // A descriptor with a mistake: a config error with its position.
    {
      args: ['test/fixtures/chelsea.png', '--model', badDescriptor],
      code: 2,
      message: /bad\.yaml:2:9: layout: "NCWH" is not allowed/,
    },
    // An input that does not exist.
    {
      args: [join(dir, 'nothere.png')],
      code: 1,
      message: /cannot read .*nothere\.png: no such file/,
    },
    // Usage errors: exit 2.
    { args: [], code: 2, message: /give an image or video/ },
    {
      args: ['test/fixtures/chelsea.png', '--confidence', 'high'],
      code: 2,
      message: /--confidence must be a number/,
    },
    { args: ['test/fixtures/chelsea.png', '--bogus'], code: 2, message: /unknown option --bogus/ },
    {
      args: ['test/fixtures/chelsea.png', '--classes', 'kat'],
      code: 2,
      message: /unknown label "kat"/,
    },
  ];
  // Independent processes (only the --classes case loads the model): run them side by side.
  const results = await Promise.all(cases.map((c) => framewireAsync('detect', ...c.args)));
  for (const [i, c] of cases.entries()) {
    const r = results[i]!;
    assert.is(r.code, c.code, `${c.args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, c.message);
    assertNoStack(r.stderr);
    assert.is(r.stdout, '');
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
