import { ConfigError, FramewireError, redactUrl } from '../core/errors.ts';
import { EXIT } from './command.ts';

/**
 * Prints an error the way users should see it — one clear message, a hint, no
 * stack — and returns the exit code. Unexpected errors keep their stack, since
 * those are bugs to report.
 */
export function reportError(err: unknown): number {
  if (err instanceof FramewireError) {
    // Some messages already start with their component (the encode session's): not twice.
    const named = err.component && !err.message.startsWith(`${err.component}:`);
    const where = named ? `${err.component}: ` : '';
    process.stderr.write(`framewire: ${redactUrl(where + err.message)}\n`);
    if (err.hint) process.stderr.write(`  hint: ${redactUrl(err.hint)}\n`);
    return err instanceof ConfigError || err.code === 'USAGE' ? EXIT.usage : EXIT.runtime;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`framewire: internal error (please report): ${redactUrl(text)}\n`);
  return EXIT.runtime;
}
