// A framewire run in the background that a test can watch (wait for a log
// line) while it does things to the world around it, e.g. kill a server.
import type { ChildProcess } from 'node:child_process';
import { type CliResult, spawnCli } from './media.ts';

export interface RunningCli {
  readonly proc: ChildProcess;
  /** Everything printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when stderr has matched `pattern` `times` times; rejects after `timeoutMs` or at exit. */
  waitFor(pattern: RegExp, times?: number, timeoutMs?: number): Promise<void>;
  /** The end of the run; a run still going after the bound is killed (`hung`). */
  readonly done: Promise<CliResult & { hung: boolean }>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

export function startCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; boundMs?: number } = {},
): RunningCli {
  const proc = spawnCli(args, opts);
  running.add(proc);
  let stdout = '';
  let stderr = '';
  let exited = false;
  let hung = false;
  const waiters = new Set<() => void>();
  proc.stdout!.on('data', (d: Buffer) => (stdout += d));
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d;
    for (const w of waiters) w();
  });
  const bound = setTimeout(() => {
    hung = true;
    proc.kill('SIGKILL');
  }, opts.boundMs ?? 120_000);
  const done = new Promise<CliResult & { hung: boolean }>((resolve) => {
    proc.on('close', (code) => {
      exited = true;
      clearTimeout(bound);
      running.delete(proc);
      for (const w of waiters) w();
      resolve({ code, stdout, stderr, hung });
    });
  });
  return {
    proc,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
    waitFor(pattern, times = 1, timeoutMs = 30_000) {
      const global = new RegExp(
        pattern.source,
        pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
      );
      return new Promise((resolve, reject) => {
        const check = () => {
          if ((stderr.match(global)?.length ?? 0) >= times) finish();
          else if (exited)
            finish(new Error(`the run ended before ${pattern} (×${times}):\n${stderr}`));
        };
        const timer = setTimeout(
          () => finish(new Error(`no ${pattern} (×${times}) within ${timeoutMs} ms:\n${stderr}`)),
          timeoutMs,
        );
        const finish = (err?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}
