import { FramewireError, redactUrl } from '../core/errors.ts';

/** The facts a failed RTSP connection attempt is explained with. */
export interface RtspFailureContext {
  /** The camera's URL, redacted (`rtsp://***@cam/stream`). */
  readonly label: string;
  /** ffmpeg's socket timeout, in seconds (`-stimeout`). */
  readonly readTimeout: number;
}

/**
 * What ffmpeg's stderr says when an RTSP connection fails, and the message a
 * person needs for each: the server's status (401, 404), a refused or timed-out
 * socket. The first rule that matches the text wins.
 */
const RULES: readonly {
  readonly test: RegExp;
  readonly message: (c: RtspFailureContext, m: RegExpExecArray) => string;
  readonly hint: string;
}[] = [
  {
    test: /401 Unauthorized|authorization failed/i,
    message: (c) => `authentication failed for ${c.label} (401 Unauthorized)`,
    hint: 'Check the user and password in the URL; percent-encode @ : / # ? in them (@ is %40, : is %3A).',
  },
  {
    test: /\b403 Forbidden/i,
    message: (c) => `the camera refused access to ${c.label} (403 Forbidden)`,
    hint: "Check that this user may view this stream in the camera's user settings.",
  },
  {
    test: /\b404 Not Found/i,
    message: (c) => `no stream at ${c.label} (404 Not Found)`,
    hint: "Check the stream path against the camera's manual (README, Cameras, lists typical URL shapes).",
  },
  {
    test: /\b(461 Unsupported transport)/i,
    message: (c) =>
      `the camera does not offer this transport for ${c.label} (461 Unsupported transport)`,
    hint: 'Try transport: auto (or the other of tcp and udp).',
  },
  {
    test: /Server returned (\d[\dX]{2}[^\n]*)/,
    message: (c, m) => `the camera answered ${m[1]?.trim()} for ${c.label}`,
    hint: "Check the URL against the camera's manual.",
  },
  {
    test: /Connection refused/i,
    message: (c) => `connection refused by ${c.label} (nothing listens on that host and port)`,
    hint: 'Check the host and port (RTSP is usually 554) and that the camera is on.',
  },
  {
    test: /Connection timed out|timed out/i,
    message: (c) => `no answer from ${c.label} (timed out)`,
    hint: 'Check that the host is reachable (ping it) and that no firewall drops RTSP.',
  },
  {
    // After a TCP handshake ffmpeg waits `-stimeout` for the RTSP reply, then says this.
    test: /Invalid data found when processing input/i,
    message: (c) =>
      `no RTSP answer from ${c.label} within ${c.readTimeout} s (the server accepted the connection and said nothing, or is not an RTSP server)`,
    hint: 'Check the port (RTSP is usually 554), or raise readTimeout for a slow camera.',
  },
  {
    test: /No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution/i,
    message: (c) => `cannot reach ${c.label} (host unreachable or unknown)`,
    hint: 'Check the host name or address and the network.',
  },
];

/**
 * The clear, redacted SOURCE_OPEN error for a connection attempt that failed,
 * from the text ffmpeg printed (or the error that already quotes it).
 */
export function rtspOpenError(
  text: string,
  c: RtspFailureContext,
  cause?: unknown,
): FramewireError {
  for (const rule of RULES) {
    const m = rule.test.exec(text);
    if (m) return new FramewireError('SOURCE_OPEN', rule.message(c, m), { hint: rule.hint, cause });
  }
  const last = redactUrl(text.trim().split('\n').at(-1) ?? '');
  return new FramewireError(
    'SOURCE_OPEN',
    `cannot read ${c.label}: ${last || 'ffmpeg said nothing'}`,
    {
      hint: 'Try the URL with another player (ffplay, VLC) to see whether the camera serves it.',
      cause,
    },
  );
}
