import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/**
 * The user cache directory for converted models: `$FRAMEWIRE_CACHE_DIR` if
 * set, else `$XDG_CACHE_HOME/framewire`, else `~/.cache/framewire`. Relative
 * XDG paths are ignored, as the XDG spec asks.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env.FRAMEWIRE_CACHE_DIR;
  if (own) return own;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'framewire');
  return join(homedir(), '.cache', 'framewire');
}

/**
 * Writes `data` so readers see either the old file or the complete new one,
 * never a partial write: a temp file in the same directory, then rename (atomic
 * on one filesystem). Concurrent writers each use their own temp file.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Written next to a converted model; a mismatch with any field means "rebuild". */
export interface CacheRecord {
  /** Hash of converter version + the source files. */
  key: string;
  bytes: number;
  sha256: string;
}

/** True when `target` and its record `target.json` match `key` and the bytes on disk. */
export async function isCachedModelValid(target: string, key: string): Promise<boolean> {
  try {
    const record = JSON.parse(await readFile(`${target}.json`, 'utf8')) as Partial<CacheRecord>;
    if (record.key !== key) return false;
    const model = await readFile(target);
    return model.byteLength === record.bytes && sha256(model) === record.sha256;
  } catch {
    return false; // missing or unreadable: rebuild
  }
}

/** Writes the model, then its record: a crash in between leaves a record that does not match. */
export async function writeCachedModel(
  target: string,
  onnx: Uint8Array,
  key: string,
): Promise<void> {
  const record: CacheRecord = { key, bytes: onnx.byteLength, sha256: sha256(onnx) };
  await writeFileAtomic(target, onnx);
  await writeFileAtomic(`${target}.json`, `${JSON.stringify(record, null, 2)}\n`);
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
