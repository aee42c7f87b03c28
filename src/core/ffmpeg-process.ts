import { type ChildProcess, spawn } from 'node:child_process';
import type { CpuAccount } from './cpu-ledger.ts';
import type { Readable, Writable } from 'node:stream';
import { type ErrorCode, FramewireError, redactUrl } from './errors.ts';
import { lastLines, resolveFfmpegPath } from './ffmpeg.ts';

/** How an ffmpeg process ended: an exit code, a signal, or a spawn that never happened. */
export interface FfmpegExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the binary could not be started (missing, not executable). */
  readonly spawnError?: Error;
}

export interface FfmpegProcessOptions {
  /** Everything after the binary; `-hide_banner -nostdin` are added in front. */
  readonly args: readonly string[];
  /** Raw frames or packets written to ffmpeg's stdin; otherwise stdin is closed. */
  readonly stdin?: boolean;
  /** ffmpeg's stdout is read (a `pipe:1` output); otherwise it is discarded. */
  readonly stdout?: boolean;
  /** ffmpeg's fd 3 is read too (a second output to `pipe:3`, e.g. packet timestamps). */
  readonly sidePipe?: boolean;
  /** The code of every error this process raises: SOURCE_READ, SINK_WRITE, STAGE_FAILED… */
  readonly errorCode: ErrorCode;
  /** The component the errors name (`sinks[0] (file)`), if any. */
  readonly component?: string;
  /** What the process is for, starting every message: `writing "out.mp4"` (none: the caller prefixes). */
  readonly task?: string;
  /** Called for each complete stderr line (stream dumps, progress), in order. */
  readonly onStderrLine?: (line: string) => void;
  /** The component it works for: its CPU time is charged there (summary table). */
  readonly cpu?: CpuAccount;
}

/** Bytes of stderr kept for messages: ffmpeg may print progress for hours. */
const TAIL_BYTES = 8192;

/**
 * One ffmpeg child process, the way every framewire component runs one: the
 * binary from `FRAMEWIRE_FFMPEG` or the bundled one, its own process group (a
 * Ctrl-C at the terminal reaches framewire, which then finishes files and
 * drains encoders in order; ffmpeg must not die first), a stderr tail for
 * messages, and every way of ending mapped to one `FramewireError`. A spawn
 * that fails (no such binary) is an exit like any other, never an unhandled
 * `'error'` event.
 */
export class FfmpegProcess {
  readonly binary: string;
  /** Resolves once, when the process has ended and its pipes are closed. */
  readonly exited: Promise<FfmpegExit>;
  readonly #child: ChildProcess;
  readonly #opts: FfmpegProcessOptions;
  #tail = '';
  #partial = '';
  #exit: FfmpegExit | undefined;
  /** kill() was called: the exit that follows is the one we asked for. */
  #killed = false;
  /** The binary came from FRAMEWIRE_FFMPEG (so the advice is about that variable). */
  readonly #fromEnv = Boolean(process.env.FRAMEWIRE_FFMPEG);

  constructor(opts: FfmpegProcessOptions) {
    this.#opts = opts;
    this.binary = resolveFfmpegPath();
    this.#child = spawn(this.binary, ['-hide_banner', '-nostdin', ...opts.args], {
      stdio: [
        opts.stdin ? 'pipe' : 'ignore',
        opts.stdout ? 'pipe' : 'ignore',
        'pipe',
        ...(opts.sidePipe ? (['pipe'] as const) : []),
      ],
      detached: true,
    });
    // A write after ffmpeg quit fails with EPIPE; the exit says why, so that is what is reported.
    this.#child.stdin?.on('error', () => {});
    this.#child.stdout?.on('error', () => {});
    this.#child.stdio[3]?.on('error', () => {});
    const stderr = this.#child.stderr!;
    stderr.setEncoding('utf8');
    stderr.on('data', (text: string) => this.#onStderr(text));
    this.exited = new Promise((resolve) => {
      const done = (exit: FfmpegExit) => {
        if (this.#exit) return;
        if (this.#partial) this.#line(this.#partial);
        this.#partial = '';
        this.#exit = exit;
        resolve(exit);
      };
      // 'error' without a pid is a failed spawn, and no 'close' is guaranteed to follow.
      this.#child.on('error', (spawnError) => {
        if (this.#child.pid === undefined) done({ code: null, signal: null, spawnError });
      });
      this.#child.once('close', (code, signal) => done({ code, signal }));
    });
    const pid = this.#child.pid;
    if (pid !== undefined) opts.cpu?.addProcess(pid, this.exited);
  }

  /** ffmpeg's stdin; writes after it quit are reported through `exited`, not as events. */
  get stdin(): Writable {
    const s = this.#child.stdin;
    if (!s) throw new Error('ffmpeg was started without stdin');
    return s;
  }

  get stdout(): Readable {
    const s = this.#child.stdout;
    if (!s) throw new Error('ffmpeg was started without stdout');
    return s;
  }

  /** ffmpeg's fd 3, when started with `sidePipe`. */
  get side(): Readable {
    const s = this.#child.stdio[3];
    if (!s) throw new Error('ffmpeg was started without a side pipe');
    return s as Readable;
  }

  /** The process id (its process group id too), or undefined when the spawn failed. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** True until the process has ended (or failed to start). */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /** The last meaningful stderr lines, credentials redacted, for messages. */
  stderrTail(lines = 3): string {
    return redactUrl(lastLines(this.#tail, lines));
  }

  /** All stderr kept so far (the last 8 KiB), for callers that classify failures. */
  get stderrText(): string {
    return this.#tail;
  }

  /**
   * The error an exit means, or undefined for a normal one: code 0, or the
   * end of a process that `kill()` stopped.
   */
  errorFor(exit: FfmpegExit): FramewireError | undefined {
    const { errorCode, component } = this.#opts;
    const opts = component === undefined ? {} : { component };
    if (exit.spawnError) {
      const why = (exit.spawnError as NodeJS.ErrnoException).code ?? exit.spawnError.message;
      return new FramewireError(
        errorCode,
        this.#say(`cannot start ffmpeg ${this.binary} (${why})`),
        {
          ...opts,
          hint: this.#fromEnv
            ? 'FRAMEWIRE_FFMPEG must name an ffmpeg executable; unset it to use the bundled one'
            : 'the bundled ffmpeg (@ffmpeg-installer/ffmpeg) is missing: reinstall with npm ci',
        },
      );
    }
    if (exit.code === 0 || this.#killed) return undefined;
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return new FramewireError(
      errorCode,
      this.#say(`ffmpeg ${how}: ${this.stderrTail() || 'no message'}`),
      opts,
    );
  }

  /**
   * Writes to stdin and resolves when the bytes have left the stream's buffer
   * (the caller may then reuse them); that is the backpressure. Rejects with
   * the exit's error if ffmpeg is gone.
   */
  write(chunk: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stdin.write(chunk, (err) => {
        if (!err) resolve();
        else void this.#failure().then(reject);
      });
    });
  }

  /** Closes stdin, waits for ffmpeg to finish, and throws if it did not exit cleanly. */
  async end(): Promise<void> {
    this.#child.stdin?.end();
    const error = this.errorFor(await this.exited);
    if (error) throw error;
  }

  /** Stops ffmpeg now (SIGKILL: nothing of ours is left to finish). Idempotent. */
  kill(): void {
    this.#killed = true;
    if (this.running && this.#child.exitCode === null && this.#child.signalCode === null)
      this.#child.kill('SIGKILL');
  }

  /** kill(), then waits until the process and its pipes are closed. */
  async stop(): Promise<void> {
    this.kill();
    // Unread output keeps the pipe open, and 'close' waits for it.
    this.#child.stdout?.destroy();
    this.#child.stdio[3]?.destroy();
    await this.exited;
  }

  async #failure(): Promise<FramewireError> {
    const exit = await this.exited;
    const { errorCode, component } = this.#opts;
    return (
      this.errorFor(exit) ??
      new FramewireError(errorCode, this.#say('ffmpeg stopped reading its input'), {
        ...(component === undefined ? {} : { component }),
      })
    );
  }

  #say(what: string): string {
    return this.#opts.task ? `${this.#opts.task}: ${what}` : what;
  }

  #onStderr(text: string): void {
    this.#tail = (this.#tail + text).slice(-TAIL_BYTES);
    if (!this.#opts.onStderrLine) return;
    const lines = (this.#partial + text).split(/\r?\n|\r/);
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
  }

  #line(line: string): void {
    this.#opts.onStderrLine?.(line);
  }
}
