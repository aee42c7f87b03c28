// A running `framewire` CLI for tests that talk to it while it runs (signals,
// servers that come and go), with its whole output kept and never left behind.
import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './media.ts';

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class CliProcess {
  readonly #proc: ChildProcess;
  readonly exited: Promise<CliExit>;
  #stdout = '';
  #stderr = '';

  constructor(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.#proc = spawnCli(args, opts);
    running.add(this.#proc);
    this.#proc.stdout!.setEncoding('utf8').on('data', (t: string) => {
      this.#stdout += t;
    });
    this.#proc.stderr!.setEncoding('utf8').on('data', (t: string) => {
      this.#stderr += t;
    });
    this.exited = new Promise((resolve) =>
      this.#proc.once('close', (code, signal) => {
        running.delete(this.#proc);
        resolve({ code, signal });
      }),
    );
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  signal(sig: NodeJS.Signals): void {
    this.#proc.kill(sig);
  }

  /** Waits until `ready()` holds (polled every 100 ms), failing after `seconds` with the output so far. */
  async until(what: string, ready: () => boolean, seconds = 30): Promise<void> {
    const end = performance.now() + seconds * 1000;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    while (!ready()) {
      if (exited || performance.now() > end)
        throw new Error(
          `${exited ? 'the CLI exited' : `${seconds} s passed`} before ${what}\n--- stderr\n${this.#stderr.slice(-3000)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL if still running: for the test's `after`, whatever happened. */
  kill(): void {
    if (this.#proc.exitCode === null && this.#proc.signalCode === null) this.#proc.kill('SIGKILL');
  }
}
