import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Who may open the feed: decided at the HTTP upgrade, before any WebSocket exists. */
export interface AdmissionRules {
  /** Required when set: `Authorization: Bearer …` or `?token=…`. */
  readonly token?: string;
  /** Allowed `Origin` headers; absent allows any. */
  readonly origins?: readonly string[];
  readonly maxClients: number;
}

export type Admission =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401 | 403 | 503; readonly reason: string };

/**
 * The checks, cheapest refusal first: a full server says 503 before it looks
 * at credentials, and an unknown origin 403 before the token (a browser page
 * from elsewhere learns nothing about the token). A request without an
 * `Origin` header passes the origin check: only browsers send one, and they
 * always do; programs are held off by the token.
 */
export function admit(req: IncomingMessage, rules: AdmissionRules, clients: number): Admission {
  if (clients >= rules.maxClients) {
    return { ok: false, status: 503, reason: `maxClients (${rules.maxClients}) reached` };
  }
  const origin = req.headers.origin;
  if (rules.origins && origin !== undefined && !originAllowed(origin, rules.origins)) {
    return {
      ok: false,
      status: 403,
      reason: `origin ${JSON.stringify(origin.slice(0, 100))} not allowed`,
    };
  }
  if (rules.token !== undefined) {
    const given = tokenOf(req);
    if (given === undefined) return { ok: false, status: 401, reason: 'no token' };
    if (!sameSecret(given, rules.token)) return { ok: false, status: 401, reason: 'wrong token' };
  }
  return { ok: true };
}

function originAllowed(origin: string, allowed: readonly string[]): boolean {
  const o = origin.toLowerCase().replace(/\/$/, '');
  return allowed.some((a) => a.toLowerCase().replace(/\/$/, '') === o);
}

/** The bearer token of the Authorization header, else the `token` query parameter. */
export function tokenOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  try {
    return new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Constant-time comparison: digests first, so differing lengths take the same time too. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** `127.0.0.1`, `::1`, `localhost` and the rest of 127/8: nobody else can connect. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return h.slice(7).startsWith('127.');
  return false;
}

/** The HTTP answer that refuses an upgrade, written on the raw socket. */
export function refusal(status: 401 | 403 | 503): string {
  const text = { 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' }[status];
  const extra = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
  return `HTTP/1.1 ${status} ${text}\r\n${extra}Connection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`;
}
