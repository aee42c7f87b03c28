import { redactUrl } from './errors.ts';

/** Where components report what a user should see; the CLI decides how it is shown. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

/** The terminal: every line redacted, since components quote URLs they were given. */
export const stderrLogger: Logger = {
  info: (m) => process.stderr.write(`${redactUrl(m)}\n`),
  warn: (m) => process.stderr.write(`warning: ${redactUrl(m)}\n`),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {} };
