import type { FileHandle } from 'node:fs/promises';

/** fsync errors that only say the file (a pipe, /dev/stdout, a char device) cannot be synced. */
const NOT_SYNCABLE = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EROFS']);

/**
 * Whether an open output file has lost its last name (it, or its directory,
 * was deleted). On Linux the descriptor keeps accepting writes, and all of it
 * vanishes on close: data loss although every write succeeded. A renamed or
 * hard-linked file (log rotation) still has a name and is not lost.
 */
export async function lostItsName(handle: FileHandle): Promise<boolean> {
  const stat = await handle.stat();
  return stat.isFile() && stat.nlink === 0;
}

/** fsync before success is reported; a pipe or a device that cannot be synced is fine. */
export async function syncToDisk(handle: FileHandle): Promise<void> {
  try {
    await handle.sync();
  } catch (err) {
    if (!NOT_SYNCABLE.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
}
