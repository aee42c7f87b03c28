/**
 * Codes an error can only carry fatally: the run cannot go on without the thing
 * that failed (a config, a model, a source or sink that would not open).
 */
export type FatalErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'SOURCE_OPEN'
  | 'SINK_OPEN'
  | 'MODEL_INVALID'
  | 'MODEL_MISSING';

/**
 * Codes an error may carry either way. Raised recoverable (`fatal: false`), the
 * run goes on and the code becomes a counted event on the component's meter.
 */
export type RecoverableErrorCode =
  | 'SOURCE_READ'
  | 'STAGE_FAILED'
  | 'SINK_WRITE'
  | 'FRAME_CORRUPT'
  | 'CONNECTION_LOST';

/** Stable machine-readable error codes; messages may change, codes do not. */
export type ErrorCode = FatalErrorCode | RecoverableErrorCode;

/**
 * Codes that are recoverable unless the raiser says otherwise: one corrupt
 * picture or one dropped connection (a live source reconnects) is not the end
 * of a run. Every other code is fatal unless raised with `fatal: false`.
 */
const RECOVERABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set([
  'FRAME_CORRUPT',
  'CONNECTION_LOST',
]);

interface ErrorOptions {
  /** The component (`source (file)`, `stages[2] (detect)`, `sinks[0] (file)`) it came from. */
  component?: string;
  /** What the user can try; printed on its own line. */
  hint?: string;
  cause?: unknown;
}

/**
 * Every error framewire raises on purpose. The runner acts on `fatal`: a fatal
 * error ends the run (exit 1, one message naming the component); a recoverable
 * one becomes a counted event with its code on that component's meter.
 */
export class FramewireError extends Error {
  readonly code: ErrorCode;
  /** The component it came from, if known; the runner fills it in when it is not. */
  readonly component: string | undefined;
  readonly fatal: boolean;
  /** What the user can try; printed on its own line. */
  readonly hint: string | undefined;

  constructor(
    code: RecoverableErrorCode,
    message: string,
    opts?: ErrorOptions & { fatal?: boolean },
  );
  /** Fatal codes (and codes known only as `ErrorCode`) are raised fatal. */
  constructor(code: ErrorCode, message: string, opts?: ErrorOptions & { fatal?: true });
  constructor(code: ErrorCode, message: string, opts: ErrorOptions & { fatal?: boolean } = {}) {
    // Redacted here, once, so no path that prints or stores an error can leak a
    // password from a URL the message quotes (ffmpeg's stderr tails included).
    super(redactUrl(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FramewireError';
    this.code = code;
    this.component = opts.component;
    this.fatal = opts.fatal ?? !RECOVERABLE_BY_DEFAULT.has(code);
    this.hint = opts.hint === undefined ? undefined : redactUrl(opts.hint);
  }
}

/** A recoverable error: its code is one the meters count. */
export type RecoverableError = FramewireError & {
  readonly code: RecoverableErrorCode;
  readonly fatal: false;
};

export function isRecoverable(err: unknown): err is RecoverableError {
  return err instanceof FramewireError && !err.fatal;
}

/**
 * The same error attributed to `component` (code, flag, hint and message kept),
 * unless it already names one. Non-framewire errors pass through unchanged.
 */
export function attributed<E>(err: E, component: string): E | FramewireError {
  if (!(err instanceof FramewireError) || err.component) return err;
  return copyOf(err, { component, fatal: err.fatal });
}

/**
 * The error that ended a run, marked fatal: a recoverable error that escaped
 * (out of an operator, say) broke its stream, so it was not recovered from.
 */
export function endedRun<E>(err: E): E | FramewireError {
  if (!(err instanceof FramewireError) || err.fatal) return err;
  return copyOf(err, { component: err.component, fatal: true });
}

function copyOf(
  err: FramewireError,
  with_: { component: string | undefined; fatal: boolean },
): FramewireError {
  const copy = new FramewireError(err.code as RecoverableErrorCode, err.message, {
    ...(with_.component ? { component: with_.component } : {}),
    fatal: with_.fatal,
    ...(err.hint ? { hint: err.hint } : {}),
    cause: err,
  });
  // Keep the subclass (ConfigError's exit code) and its name.
  Object.setPrototypeOf(copy, Object.getPrototypeOf(err));
  copy.name = err.name;
  return copy;
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
