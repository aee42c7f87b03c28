import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
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
