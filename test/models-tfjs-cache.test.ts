/**
 * The embedded model's cache: converted once, reused untouched, rebuilt when
 * the file is damaged or the source changes, located by the documented rules.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Logger } from '../src/core/log.ts';
import { userCacheDir } from '../src/models/cache.ts';
import {
  CONVERSION_MESSAGE,
  cachedEmbeddedModel,
  EMBEDDED_MODEL,
  embeddedSourcePath,
  prepareEmbeddedModel,
} from '../src/models/embedded.ts';

let root = '';
test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'framewire-cache-'));
});
test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A logger that records what it was told. */
function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) };
}

const locations: [string, NodeJS.ProcessEnv, string][] = [
  ['FRAMEWIRE_CACHE_DIR wins', { FRAMEWIRE_CACHE_DIR: '/c/fw', XDG_CACHE_HOME: '/x' }, '/c/fw'],
  ['then XDG_CACHE_HOME/framewire', { XDG_CACHE_HOME: '/x' }, '/x/framewire'],
  [
    'a relative XDG_CACHE_HOME is ignored (XDG spec)',
    { XDG_CACHE_HOME: 'rel' },
    join(homedir(), '.cache', 'framewire'),
  ],
  [
    'an empty FRAMEWIRE_CACHE_DIR counts as unset',
    { FRAMEWIRE_CACHE_DIR: '' },
    join(homedir(), '.cache', 'framewire'),
  ],
  ['else ~/.cache/framewire', {}, join(homedir(), '.cache', 'framewire')],
];
for (const [why, env, expected] of locations) {
  test(`cache dir: ${why}`, () => assert.is(userCacheDir(env), expected));
}

test('converts once, then reuses the file untouched', async () => {
  const cacheDir = join(root, 'once');
  const log = recorder();
  assert.is(await cachedEmbeddedModel({ cacheDir }), undefined);
  const started = performance.now();
  const path = await prepareEmbeddedModel({ cacheDir, log });
  const convertMs = performance.now() - started;
  assert.is(path, join(cacheDir, EMBEDDED_MODEL.file));
  assert.equal(log.lines, [CONVERSION_MESSAGE]);
  const first = await stat(path);

  const again = recorder();
  const reuseStarted = performance.now();
  assert.is(await prepareEmbeddedModel({ cacheDir, log: again }), path);
  const reuseMs = performance.now() - reuseStarted;
  assert.equal(again.lines, [], 'no conversion message the second time');
  assert.is((await stat(path)).mtimeMs, first.mtimeMs, 'file not rewritten');
  assert.is(await cachedEmbeddedModel({ cacheDir }), path);
  console.log(`  conversion ${convertMs.toFixed(0)} ms, cache check ${reuseMs.toFixed(0)} ms`);
});

test('the cached model loads in onnxruntime with the documented input and outputs', async () => {
  const path = await prepareEmbeddedModel({ cacheDir: join(root, 'once'), log: recorder() });
  const session = await ort.InferenceSession.create(path);
  assert.equal(session.inputNames, [EMBEDDED_MODEL.input.name]);
  assert.equal(
    [...session.outputNames].sort(),
    [EMBEDDED_MODEL.outputs.heatmap, EMBEDDED_MODEL.outputs.wh].sort(),
  );
  await session.release();
});

test('FRAMEWIRE_CACHE_DIR redirects the cache when no cacheDir is given', async () => {
  const dir = join(root, 'env');
  const saved = process.env.FRAMEWIRE_CACHE_DIR;
  process.env.FRAMEWIRE_CACHE_DIR = dir;
  try {
    assert.is(await prepareEmbeddedModel({ log: recorder() }), join(dir, EMBEDDED_MODEL.file));
  } finally {
    if (saved === undefined) delete process.env.FRAMEWIRE_CACHE_DIR;
    else process.env.FRAMEWIRE_CACHE_DIR = saved;
  }
});

const damages: [string, (path: string) => Promise<void>][] = [
  [
    'one flipped byte (same size)',
    async (path) => {
      const bytes = await readFile(path);
      bytes[bytes.length >> 1]! ^= 0xff;
      await writeFile(path, bytes);
    },
  ],
  [
    'a truncated file (an interrupted copy)',
    async (path) => writeFile(path, (await readFile(path)).subarray(0, 1000)),
  ],
  ['a deleted model with its record left behind', async (path) => rm(path)],
  ['a deleted record', async (path) => rm(`${path}.json`)],
  [
    'a record from another source version',
    async (path) => writeFile(`${path}.json`, '{"key":"old"}'),
  ],
];
for (const [damage, apply] of damages) {
  test(`rebuilds after ${damage}`, async () => {
    const cacheDir = join(root, damage.replace(/\W+/g, '-'));
    const path = await prepareEmbeddedModel({ cacheDir, log: recorder() });
    const good = await readFile(path);
    await apply(path);
    const log = recorder();
    assert.is(await prepareEmbeddedModel({ cacheDir, log }), path);
    assert.equal(log.lines, [CONVERSION_MESSAGE]);
    assert.ok(good.equals(await readFile(path)), 'rebuilt byte for byte');
  });
}

test('a changed source (an upgraded @vladmandic/human) reconverts', async () => {
  const src = join(root, 'source');
  const cacheDir = join(root, 'upgrade');
  const original = embeddedSourcePath();
  await rm(src, { recursive: true, force: true });
  await mkdir(src, { recursive: true });
  await copyFile(original, join(src, 'centernet.json'));
  await copyFile(join(dirname(original), 'centernet.bin'), join(src, 'centernet.bin'));
  const sourceJson = join(src, 'centernet.json');
  await prepareEmbeddedModel({ cacheDir, sourceJson, log: recorder() });
  // Same graph, different bytes: the key is the content hash, not the version string.
  await writeFile(sourceJson, `${await readFile(sourceJson, 'utf8')}\n`);
  const log = recorder();
  await prepareEmbeddedModel({ cacheDir, sourceJson, log });
  assert.equal(log.lines, [CONVERSION_MESSAGE]);
});

test('a missing source is a MODEL_MISSING error with a hint', async () => {
  try {
    await prepareEmbeddedModel({ cacheDir: root, sourceJson: join(root, 'nope.json') });
    assert.unreachable('no error');
  } catch (err) {
    assert.is((err as { code?: string }).code, 'MODEL_MISSING');
    assert.match(String((err as { hint?: string }).hint), /reinstall/);
  }
});

test.run();
