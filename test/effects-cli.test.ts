// The effects stage in real runs of the CLI: a pipeline with nothing to mask by
// counts every frame as EFFECT_SKIPPED in --json-stats and warns once; the
// embedded detector with `boxes: true` masks the person in the sample video
// (its pixels change, the corners far from the person do not), and so does the
// embedded person segmenter, to the person's outline.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { runCli, tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir('framewire-effects-cli-');
test.after(cleanup);

interface Stats {
  meters: { name: string; framesOut: number; events?: Record<string, number> }[];
}

test('no map and no masks: every frame passes untouched, counted EFFECT_SKIPPED, one warning', async () => {
  writeFileSync(
    join(dir, 'skip.yaml'),
    'source: { type: testsrc, duration: 1, rate: 10, size: 160x120 }\nstages: [ { type: effects } ]\nsinks: [ { type: "null" } ]\n',
  );
  const r = await runCli(['run', 'skip.yaml', '--quiet', '--json-stats', 'skip.json'], {
    cwd: dir,
  });
  assert.is(r.code, 0, r.stderr);
  const stats = JSON.parse(readFileSync(join(dir, 'skip.json'), 'utf8')) as Stats;
  const effects = stats.meters.find((m) => m.name.includes('effects'))!;
  assert.is(effects.framesOut, 10);
  assert.equal(effects.events, { EFFECT_SKIPPED: 10 });
  assert.is(r.stderr.match(/EFFECT_SKIPPED/g)?.length, 1, r.stderr);
});

/** Runs file (walk.mp4) → `stages` → effects replace magenta → encode; frame 50 as RGB. */
async function maskedFrame(name: string, stages: string[], effects: string): Promise<Buffer> {
  const walk = new URL('../pipelines/media/walk.mp4', import.meta.url).pathname;
  const out = join(dir, `${name}.mp4`);
  writeFileSync(
    join(dir, `${name}.yaml`),
    [
      `source: { type: file, path: ${walk} }`,
      'stages:',
      ...stages.map((s) => `  - ${s}`),
      `  - { type: effects, effect: replace, color: '#ff00ff', classes: [person]${effects} }`,
      '  - { type: encode }',
      `sinks: [ { type: file, path: ${out} } ]`,
    ].join('\n'),
  );
  const r = await runCli(['run', `${name}.yaml`, '--quiet'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  return execFileSync(ffmpegPath, [
    '-v',
    'error',
    '-i',
    out,
    '-vf',
    String.raw`select=eq(n\,50)`,
    '-frames:v',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ]);
}

/** Magenta pixels of a 640×360 RGB picture: all of them, and those in the corners. */
function magenta(rgb: Buffer): { all: number; corners: number } {
  assert.is(rgb.length, 640 * 360 * 3);
  let all = 0;
  let corners = 0;
  for (let y = 0; y < 360; y++)
    for (let x = 0; x < 640; x++) {
      const i = (y * 640 + x) * 3;
      if (!(rgb[i]! > 200 && rgb[i + 1]! < 80 && rgb[i + 2]! > 200)) continue;
      all++;
      if ((x < 40 || x >= 600) && (y < 40 || y >= 320)) corners++;
    }
  return { all, corners };
}

// Frame 50: the astronaut is in the middle of the 640×360 picture.
test('the embedded detector with boxes: true: the walking person is replaced, the corners are not', async () => {
  const m = magenta(
    await maskedFrame('boxes', ['{ type: detect, confidence: 0.3 }'], ', boxes: true'),
  );
  assert.ok(m.all > 10_000, `${m.all} magenta pixels`);
  assert.is(m.corners, 0);
});

test('the embedded person segmenter: the person is replaced to its outline, the corners are not', async () => {
  const m = magenta(await maskedFrame('segment', ['{ type: segment }'], ''));
  assert.ok(m.all > 10_000, `${m.all} magenta pixels`);
  assert.is(m.corners, 0);
});

test.run();
