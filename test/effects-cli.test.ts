// The effects stage in real runs of the CLI: a pipeline with nothing to mask by
// counts every frame as EFFECT_SKIPPED in --json-stats and warns once; the
// embedded detector with `boxes: true` masks the person in the sample video
// (its pixels change, the corners far from the person do not).
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

test('the embedded detector with boxes: true: the walking person is replaced, the corners are not', async () => {
  const walk = new URL('../pipelines/media/walk.mp4', import.meta.url).pathname;
  const out = join(dir, 'private.mp4');
  writeFileSync(
    join(dir, 'private.yaml'),
    [
      `source: { type: file, path: ${walk} }`,
      'stages:',
      '  - { type: detect, confidence: 0.3 }',
      "  - { type: effects, effect: replace, color: '#ff00ff', classes: [person], boxes: true }",
      '  - { type: encode }',
      `sinks: [ { type: file, path: ${out} } ]`,
    ].join('\n'),
  );
  const r = await runCli(['run', 'private.yaml', '--quiet'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  // Frame 50 as RGB: the astronaut is in the middle of the 640×360 picture.
  const rgb = execFileSync(ffmpegPath, [
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
  assert.is(rgb.length, 640 * 360 * 3);
  const isMagenta = (x: number, y: number) => {
    const i = (y * 640 + x) * 3;
    return rgb[i]! > 200 && rgb[i + 1]! < 80 && rgb[i + 2]! > 200;
  };
  let magenta = 0;
  let cornerMagenta = 0;
  for (let y = 0; y < 360; y++)
    for (let x = 0; x < 640; x++) {
      if (!isMagenta(x, y)) continue;
      magenta++;
      if ((x < 40 || x >= 600) && (y < 40 || y >= 320)) cornerMagenta++;
    }
  assert.ok(magenta > 10_000, `${magenta} magenta pixels`);
  assert.is(cornerMagenta, 0);
});

test.run();
