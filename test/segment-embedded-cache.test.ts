/**
 * The embedded segmenter's cache, as the detector's: converted once with one
 * notice, reused untouched, rebuilt byte for byte after damage or a changed
 * source, a clear error for a missing source; and `framewire models prepare`
 * prepares both embedded models.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Logger } from '../src/core/log.ts';
import {
  cachedSelfieModel,
  prepareSelfieModel,
  SELFIE_CONVERSION_MESSAGE,
  SELFIE_MODEL,
  selfieSourcePath,
} from '../src/models/embedded-selfie.ts';
import { tempDir } from './helpers/media.ts';

const tmp = tempDir('framewire-selfie-cache-');
test.after(() => tmp.cleanup());

function framewire(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) };
}

test('converts once with one notice, then reuses the file untouched', async () => {
  const cacheDir = join(tmp.dir, 'once');
  assert.is(await cachedSelfieModel({ cacheDir }), undefined);
  const log = recorder();
  const path = await prepareSelfieModel({ cacheDir, log });
  assert.is(path, join(cacheDir, SELFIE_MODEL.file));
  assert.equal(log.lines, [SELFIE_CONVERSION_MESSAGE]);
  const first = await stat(path);
  const again = recorder();
  assert.is(await prepareSelfieModel({ cacheDir, log: again }), path);
  assert.equal(again.lines, []);
  assert.is((await stat(path)).mtimeMs, first.mtimeMs, 'file not rewritten');
  assert.is(await cachedSelfieModel({ cacheDir }), path);
});

const damages: [string, (path: string) => Promise<void>][] = [
  [
    'one flipped byte',
    async (path) => {
      const bytes = await readFile(path);
      bytes[bytes.length >> 1]! ^= 0xff;
      await writeFile(path, bytes);
    },
  ],
  ['a deleted model', async (path) => rm(path)],
  ['a record from another source', async (path) => writeFile(`${path}.json`, '{"key":"old"}')],
];
for (const [damage, apply] of damages) {
  test(`rebuilds byte for byte after ${damage}`, async () => {
    const cacheDir = join(tmp.dir, damage.replace(/\W+/g, '-'));
    const path = await prepareSelfieModel({ cacheDir, log: recorder() });
    const good = await readFile(path);
    await apply(path);
    const log = recorder();
    assert.is(await prepareSelfieModel({ cacheDir, log }), path);
    assert.equal(log.lines, [SELFIE_CONVERSION_MESSAGE]);
    assert.ok(good.equals(await readFile(path)));
  });
}

test('a changed .tflite reconverts; a missing one is MODEL_MISSING with a hint', async () => {
  const cacheDir = join(tmp.dir, 'source');
  const sourceTflite = join(tmp.dir, 'copy.tflite');
  await copyFile(selfieSourcePath(), sourceTflite);
  await prepareSelfieModel({ cacheDir, sourceTflite, log: recorder() });
  // One more byte after the FlatBuffer: the same model, other bytes, so another key.
  await writeFile(sourceTflite, Buffer.concat([await readFile(sourceTflite), Buffer.from([0])]));
  const log = recorder();
  await prepareSelfieModel({ cacheDir, sourceTflite, log });
  assert.equal(log.lines, [SELFIE_CONVERSION_MESSAGE]);
  try {
    await prepareSelfieModel({ cacheDir, sourceTflite: join(tmp.dir, 'nope.tflite') });
    assert.unreachable('no error');
  } catch (err) {
    assert.is((err as { code?: string }).code, 'MODEL_MISSING');
    assert.match(String((err as { hint?: string }).hint), /@mediapipe\/selfie_segmentation/);
  }
});

test('framewire models prepare prints both embedded models; list shows them', () => {
  const env = { FRAMEWIRE_CACHE_DIR: join(tmp.dir, 'cli') };
  const prepared = framewire(['models', 'prepare'], env);
  assert.is(prepared.code, 0, prepared.stderr);
  assert.equal(prepared.stdout.trim().split('\n'), [
    join(env.FRAMEWIRE_CACHE_DIR, 'centernet-coco80.onnx'),
    join(env.FRAMEWIRE_CACHE_DIR, SELFIE_MODEL.file),
  ]);
  const list = framewire(['models', 'list'], env);
  assert.match(list.stdout, /mediapipe-selfie {2}\(embedded segmenter\) {2}background\/person/);
  assert.ok(list.stdout.includes(join(env.FRAMEWIRE_CACHE_DIR, SELFIE_MODEL.file)));
});

test.run();
