import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeVideo, makeVideo, runCli, tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir();
test.after(cleanup);

test('a 300-frame file through file → file + jsonl keeps every frame, in order', async () => {
  const input = await makeVideo(join(dir, 'in.mp4'), { frames: 300, size: '320x240' });
  const pipeline = join(dir, 'p.yaml');
  writeFileSync(
    pipeline,
    [
      'source: { type: file, path: in.mp4 }',
      'sinks:',
      '  - { type: file, path: out/a.mp4 }',
      '  - { type: jsonl, path: out/a.jsonl }',
    ].join('\n'),
  );
  const r = await runCli(['run', pipeline, '--quiet', '--json-stats', 'out/stats.json'], {
    cwd: dir,
  });
  assert.is(r.code, 0, r.stderr);
  assert.ok(input);

  const video = await decodeVideo(join(dir, 'out/a.mp4'));
  assert.is(video.frames, 300);
  assert.is(video.width, 320);
  assert.is(video.height, 240);

  const lines = readFileSync(join(dir, 'out/a.jsonl'), 'utf8').trimEnd().split('\n');
  assert.is(lines.length, 300);
  lines.forEach((line, i) => {
    const record = JSON.parse(line);
    assert.is(record.seq, i);
    assert.is(record.pts, i * 40_000);
    assert.is(record.width, 320);
    assert.equal(record.detections, []);
    assert.ok(!Number.isNaN(Date.parse(record.time)));
  });

  const stats = JSON.parse(readFileSync(join(dir, 'out/stats.json'), 'utf8'));
  assert.is(stats.reason, 'end');
  const source = stats.meters.find((m: { kind: string }) => m.kind === 'source');
  assert.is(source.framesOut, 300);
  assert.is(source.dropped, 0);
});

test('resize inside the pipeline: the MP4 has the resized size, JSONL keeps the source size', async () => {
  const pipeline = join(dir, 'r.yaml');
  writeFileSync(
    pipeline,
    [
      'source: { type: file, path: in.mp4 }',
      'stages: [ { type: resize, width: 160, height: 160 } ]',
      'sinks:',
      '  - { type: file, path: out/r.mp4 }',
      '  - { type: jsonl, path: out/r.jsonl }',
    ].join('\n'),
  );
  const r = await runCli(['run', pipeline, '--quiet'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  const video = await decodeVideo(join(dir, 'out/r.mp4'));
  assert.is(video.frames, 300);
  assert.is(video.width, 160);
  const first = JSON.parse(readFileSync(join(dir, 'out/r.jsonl'), 'utf8').split('\n')[0]!);
  assert.is(first.width, 320);
  assert.is(first.height, 240);
});

test('an unreadable video is one clear error, exit 1, no stack', async () => {
  writeFileSync(join(dir, 'broken-not-a-video.mp4'), 'this is not a video');
  const pipeline = join(dir, 'bad.yaml');
  writeFileSync(
    pipeline,
    'source: { type: file, path: broken-not-a-video.mp4 }\nsinks: [ { type: "null" } ]\n',
  );
  const r = await runCli(['run', pipeline, '--quiet'], { cwd: dir });
  assert.is(r.code, 1);
  assert.match(r.stderr, /cannot read video file "broken-not-a-video.mp4"/);
  assert.not.match(r.stderr, /\n\s+at /);
});

test('a missing video names the path and what to check', async () => {
  const pipeline = join(dir, 'missing.yaml');
  writeFileSync(
    pipeline,
    'source: { type: file, path: nowhere.mp4 }\nsinks: [ { type: "null" } ]\n',
  );
  const r = await runCli(['run', pipeline, '--quiet'], { cwd: dir });
  assert.is(r.code, 1);
  assert.match(r.stderr, /nowhere\.mp4/);
  assert.match(r.stderr, /hint: check the path/);
});

test('an output path that cannot be created is one clear error, exit 1, no stack', async () => {
  writeFileSync(join(dir, 'a-file'), 'not a directory');
  const pipeline = join(dir, 'unwritable.yaml');
  writeFileSync(
    pipeline,
    'source: { type: file, path: in.mp4 }\nsinks: [ { type: jsonl, path: a-file/out.jsonl } ]\n',
  );
  const r = await runCli(['run', pipeline, '--quiet'], { cwd: dir });
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /sinks\[0\] \(jsonl\): cannot open: EEXIST: file already exists, mkdir .*a-file/,
  );
  assert.match(r.stderr, /hint: check the path and its permissions/);
  assert.not.match(r.stderr, /internal error|\n\s+at /);
});

// The in-process H.264 path and the ffmpeg path deliver the same frames; a file
// that is not H.264 falls back to ffmpeg by itself.
const decoders = [
  { name: 'H.264 with decoder: ffmpeg', input: 'in.mp4', decoder: 'ffmpeg' },
  { name: 'H.264 with decoder: webcodecs', input: 'in.mp4', decoder: 'webcodecs' },
  {
    name: 'MPEG-4 Part 2 with decoder: auto (falls back to ffmpeg)',
    input: 'mpeg4.mkv',
    decoder: 'auto',
  },
];
for (const c of decoders) {
  test(`every frame arrives: ${c.name}`, async () => {
    await makeVideo(join(dir, 'mpeg4.mkv'), {
      frames: 60,
      size: '320x240',
      extra: ['-c:v', 'mpeg4'],
    });
    const pipeline = join(dir, `dec-${c.decoder}.yaml`);
    writeFileSync(
      pipeline,
      `source: { type: file, path: ${c.input}, decoder: ${c.decoder} }\nsinks: [ { type: jsonl, path: out/dec-${c.decoder}.jsonl } ]\n`,
    );
    const r = await runCli(['run', pipeline, '--quiet'], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    const lines = readFileSync(join(dir, `out/dec-${c.decoder}.jsonl`), 'utf8')
      .trimEnd()
      .split('\n');
    assert.is(lines.length, c.input === 'in.mp4' ? 300 : 60);
    assert.is(JSON.parse(lines.at(-1)!).seq, lines.length - 1);
  });
}

test('decoder: webcodecs with a scaling option is a config error', async () => {
  const pipeline = join(dir, 'webcodecs-scale.yaml');
  writeFileSync(
    pipeline,
    'source: { type: file, path: in.mp4, decoder: webcodecs, width: 160 }\nsinks: [ { type: "null" } ]\n',
  );
  const r = await runCli(['run', pipeline, '--quiet'], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /need decoder: ffmpeg/);
});

test.run();
