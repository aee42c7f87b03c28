import type { PipelineRun } from '../core/runner.ts';

/**
 * Ctrl-C (SIGINT) and SIGTERM for `framewire run`, installed before the
 * pipeline is assembled, so a source that is still connecting (a camera that
 * does not answer, retried with backoff) can be stopped too: the first signal
 * aborts `signal` (assembly stops the source and rejects with PipelineStopped)
 * or, once the run exists, stops it gracefully; a second one exits at once.
 */
export class StopSignals {
  readonly #abort = new AbortController();
  #run: PipelineRun | undefined;
  #count = 0;
  readonly #onSignal = (signal: NodeJS.Signals) => {
    this.#count++;
    if (this.#count > 1) {
      process.stderr.write(`\nframewire: second ${signal}, exiting now\n`);
      process.exit(130);
    }
    if (!this.quiet) {
      process.stderr.write(
        `\nframewire: ${signal} received, finishing (press Ctrl-C again to exit now)\n`,
      );
    }
    if (this.#run) this.#run.stop();
    else this.#abort.abort();
  };

  constructor(private readonly quiet: boolean) {
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  /** Aborted by a signal that came before the run existed: give it to assembly. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** From now on a signal stops this run (at once, if one came while it was assembled). */
  attach(run: PipelineRun): void {
    this.#run = run;
    if (this.#abort.signal.aborted) run.stop();
  }

  dispose(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}
