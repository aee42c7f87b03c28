/** Stable machine-readable error codes; messages may change, codes do not. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'SOURCE_OPEN'
  | 'SOURCE_READ'
  | 'STAGE_FAILED'
  | 'SINK_OPEN'
  | 'SINK_WRITE'
  | 'MODEL_INVALID'
  | 'MODEL_MISSING'
  | 'FRAME_CORRUPT'
  | 'CONNECTION_LOST';

/**
 * Every error framewire raises on purpose. `fatal` ends the run; a recoverable
 * one becomes a counted event on the component that raised it.
 */
export class FramewireError extends Error {
  readonly code: ErrorCode;
  /** The component (`source`, `stages[2] detect`, `sinks[0] file`) it came from, if any. */
  readonly component: string | undefined;
  readonly fatal: boolean;
  /** What the user can try; printed on its own line. */
  readonly hint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { component?: string; fatal?: boolean; hint?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FramewireError';
    this.code = code;
    this.component = opts.component;
    this.fatal = opts.fatal ?? true;
    this.hint = opts.hint;
  }
}

/** A config or usage error: exit code 2, printed without a stack. */
export class ConfigError extends FramewireError {
  constructor(message: string, opts: { hint?: string } = {}) {
    super('CONFIG_INVALID', message, opts);
    this.name = 'ConfigError';
  }
}

/**
 * Credentials in URLs are never printed: `rtsp://user:pass@host` → `rtsp://***@host`.
 * A scheme starts only where no scheme character precedes it: without that, a
 * long run of letters is rescanned from every position (quadratic, minutes for
 * a megabyte-long value in a message).
 */
export function redactUrl(text: string): string {
  return text.replace(/(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}
