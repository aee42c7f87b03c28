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
    // Redacted here, once, so no path that prints or stores an error can leak a
    // password from a URL the message quotes (ffmpeg's stderr tails included).
    super(redactUrl(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FramewireError';
    this.code = code;
    this.component = opts.component;
    this.fatal = opts.fatal ?? true;
    this.hint = opts.hint === undefined ? undefined : redactUrl(opts.hint);
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
 * `scheme://userinfo@`: the userinfo runs to the LAST `@` before whitespace, so a
 * password that itself holds `@`, `:` or `/` (which users type unescaped) is
 * hidden whole. Only ASCII whitespace ends it: a Unicode space inside a password
 * does not split it. One slash is enough, because `path.resolve` collapses
 * `rtsp://` to `rtsp:/` when a URL is mistaken for a relative path. A scheme starts
 * only where no scheme character precedes it: without that, a long run of letters
 * is rescanned from every position (quadratic, minutes for a megabyte-long value).
 */
const URL_USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/?)[^\t\n\v\f\r ]*@/gi;

/**
 * Credentials in URLs are never printed: `rtsp://user:pass@host` → `rtsp://***@host`,
 * also for `rtsp://admin:p@ss:w/rd@cam:554/x`. Everything framewire writes for a
 * person or a file (log lines, warnings, errors, ffmpeg's stderr tails, stats)
 * passes through here; it is idempotent, so redacting twice is harmless.
 */
export function redactUrl(text: string): string {
  return text.replace(URL_USERINFO, '$1***@');
}

/** A JSON-able value with every string in it (keys too) passed through `redactUrl`. */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactUrl(k)] = redactDeep(v);
    return out;
  }
  return value;
}
