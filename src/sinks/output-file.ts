import { type FileHandle, open } from 'node:fs/promises';
import type { Clock } from '../core/clock.ts';
import { FramewireError } from '../core/errors.ts';
import { lostItsName, syncToDisk } from './file-checks.ts';

/** Bytes a writer may hold before `write()` makes its caller wait for the disk. */
const HIGH_WATER_BYTES = 64 * 1024;

/** How often (ms) a long run checks that its file has not been deleted under it. */
const LINK_CHECK_MS = 1000;

export interface OutputFileOptions {
  /** The sink's label (`sinks[1] (jsonl)`), for messages. */
  readonly component: string;
  /** The path as the user wrote it, for messages. */
  readonly displayPath: string;
  readonly append: boolean;
  readonly clock: Clock;
}

/**
 * The output file of a lossless sink, which never loses data silently: every
 * byte given to `write()` reaches the file, or the run fails with a SINK_WRITE
 * error naming the sink and the path. A failed write (ENOSPC on a full disk,
 * EFBIG past a file-size limit, EIO) is remembered and rethrown by the next
 * `write()` or by `close()`, whichever comes first, so an error on the last
 * frames or the final flush fails the run too. A caller waiting for room is
 * released (rejected) by a failure, never left waiting.
 *
 * Writes go to the kernel as soon as the previous one is done (several small
 * writes are batched while one is in flight), so a killed process loses at
 * most what was still in this buffer, never a half-written earlier line. A
 * write that fails part-way through a record (the disk filled up) has the
 * part that did reach the file cut off again: the file keeps whole records.
 *
 * A deleted file: on Linux an open descriptor keeps writing into a file whose
 * name (or whole directory) was removed, and everything written vanishes when
 * the descriptor closes. That is data loss even though every write succeeds,
 * so "lost" here means "reachable by no name once we close": the file's link
 * count is 0. It is checked about once a second while frames arrive (a
 * long-running camera pipeline fails within a second or so instead of writing
 * into nothing for hours) and once more before the final close, which then
 * fails instead of succeeding. Re-creating the file would not help: its start
 * is gone, so a file that silently lacks its first lines is worse than a clear
 * failure. A file that was renamed or hard-linked elsewhere (log rotation)
 * still has a name, loses nothing and is not an error.
 */
export class OutputFile {
  readonly #handle: FileHandle;
  readonly #opts: OutputFileOptions;
  #chunks: string[] = [];
  #bufferedBytes = 0;
  /** Where the next batch starts in the file (its size, as far as this writer knows). */
  #position: number;
  #flushing: Promise<void> | undefined;
  #linkCheck: Promise<void> | undefined;
  #lastLinkCheck: number;
  #failure: FramewireError | undefined;
  #closing: Promise<void> | undefined;

  private constructor(handle: FileHandle, opts: OutputFileOptions, start: number) {
    this.#handle = handle;
    this.#opts = opts;
    this.#position = start;
    this.#lastLinkCheck = opts.clock.now();
  }

  /** Opens (creates or truncates, or appends to) `path`; open errors are the caller's to report. */
  static async open(path: string, opts: OutputFileOptions): Promise<OutputFile> {
    const handle = await open(path, opts.append ? 'a' : 'w');
    try {
      const start = opts.append ? (await handle.stat()).size : 0;
      return new OutputFile(handle, opts, start);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /**
   * Queues `text`, one whole record (a JSON line), for the file. Returns a
   * promise only when the buffer is full (wait for it: that is the
   * backpressure); throws or rejects with the first failure.
   */
  write(text: string): Promise<void> | undefined {
    if (this.#failure) throw this.#failure;
    this.#chunks.push(text);
    this.#bufferedBytes += Buffer.byteLength(text);
    this.#flushing ??= this.#flush();
    this.#maybeCheckLink();
    if (this.#bufferedBytes < HIGH_WATER_BYTES) return undefined;
    return this.#flushing.then(() => {
      if (this.#failure) throw this.#failure;
    });
  }

  /**
   * Writes what is buffered, checks the file still has a name, syncs it to disk
   * and closes it. Rejects with the first failure, here or earlier. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  async #finish(): Promise<void> {
    try {
      await this.#flushing;
      await this.#linkCheck;
      if (!this.#failure) await this.#checkLink();
      if (!this.#failure) await this.#sync();
    } finally {
      // Close errors (EIO, or ENOSPC from network file systems that report late) count too.
      await this.#handle.close().catch((err: unknown) => this.#fail(err));
    }
    if (this.#failure) throw this.#failure;
  }

  /** Drains the buffer in order; never rejects (failures are recorded). */
  async #flush(): Promise<void> {
    while (this.#chunks.length > 0 && !this.#failure) {
      const records = this.#chunks;
      this.#chunks = [];
      const data = Buffer.from(records.join(''));
      let offset = 0;
      try {
        while (offset < data.length) {
          // A short write (a file-size limit, a pipe) is continued; the next call reports why.
          const { bytesWritten } = await this.#handle.write(data, offset);
          offset += bytesWritten;
        }
      } catch (err) {
        this.#fail(err);
        await this.#cutToWholeRecord(records, offset);
      }
      this.#position += offset;
      this.#bufferedBytes -= data.length;
    }
    this.#flushing = undefined;
  }

  /**
   * After a write failed `written` bytes into a batch, removes the part of a
   * record that did reach the file, so it ends with whole records (whole JSON
   * lines) as after a crash. Best effort: the run fails either way.
   */
  async #cutToWholeRecord(records: readonly string[], written: number): Promise<void> {
    let whole = 0;
    for (const record of records) {
      const end = whole + Buffer.byteLength(record);
      if (end > written) break;
      whole = end;
    }
    if (whole === written) return;
    const stat = await this.#handle.stat().catch(() => undefined);
    // Only a regular file can be cut, and only one nobody else appended to meanwhile.
    if (!stat?.isFile() || stat.size !== this.#position + written) return;
    await this.#handle.truncate(this.#position + whole).catch(() => {});
  }

  #maybeCheckLink(): void {
    const now = this.#opts.clock.now();
    if (this.#linkCheck || now - this.#lastLinkCheck < LINK_CHECK_MS) return;
    this.#lastLinkCheck = now;
    this.#linkCheck = this.#checkLink().finally(() => {
      this.#linkCheck = undefined;
    });
  }

  async #checkLink(): Promise<void> {
    try {
      if (await lostItsName(this.#handle)) {
        this.#failure ??= new FramewireError(
          'SINK_WRITE',
          `"${this.#opts.displayPath}" was deleted while being written (the file or its directory was removed): what was written to it is lost`,
          { component: this.#opts.component, hint: 'keep the output directory until the run ends' },
        );
      }
    } catch (err) {
      this.#fail(err);
    }
  }

  async #sync(): Promise<void> {
    await syncToDisk(this.#handle).catch((err: unknown) => this.#fail(err));
  }

  #fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.#failure ??= new FramewireError(
      'SINK_WRITE',
      `cannot write "${this.#opts.displayPath}": ${message}`,
      { component: this.#opts.component, cause: err },
    );
  }
}
