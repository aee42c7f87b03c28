import { redactUrl } from './errors.ts';

/** Where components report what a user should see; the CLI decides how it is shown. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /**
   * `--verbose`: the native libraries' own diagnostics (onnxruntime's log) may
   * reach the terminal too. Otherwise only framewire's messages do.
   */
  readonly verbose?: boolean;
}

/** The terminal: every line redacted, since components quote URLs they were given. */
export const stderrLogger: Logger = {
  info: (m) => process.stderr.write(`${redactUrl(m)}\n`),
  warn: (m) => process.stderr.write(`warning: ${redactUrl(m)}\n`),
};

/** `stderrLogger` for `--verbose`. */
export const verboseLogger: Logger = { ...stderrLogger, verbose: true };

export const silentLogger: Logger = { info: () => {}, warn: () => {} };
