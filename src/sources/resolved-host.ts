import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FramewireError } from '../core/errors.ts';

/** `scheme://`, the authority (userinfo@host:port), and the rest (path, query). */
const PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is;

/**
 * The URL with its host name replaced by an address Node resolved. The bundled
 * static ffmpeg crashes (SIGSEGV) resolving any host name, `localhost` included,
 * so a camera named `cam.local` would never connect; resolving it here also
 * gives a clear error for a name that does not exist. Addresses pass unchanged.
 */
export async function withResolvedHost(url: string, label: string): Promise<string> {
  const parts = PARTS.exec(url);
  if (!parts) return url;
  const [, scheme, authority = '', rest = ''] = parts;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const hostPort = authority.slice(at + 1);
  if (hostPort.startsWith('[')) return url; // an IPv6 literal
  const colon = hostPort.lastIndexOf(':');
  const host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
  const port = colon >= 0 ? hostPort.slice(colon) : '';
  if (host === '' || isIP(host) !== 0) return url;
  let address: { address: string; family: number };
  try {
    address = await lookup(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'lookup failed';
    throw new FramewireError('SOURCE_OPEN', `cannot resolve the host name in ${label} (${code})`, {
      hint: "Check the host name, or use the camera's IP address.",
      cause: err,
    });
  }
  const ip = address.family === 6 ? `[${address.address}]` : address.address;
  return `${scheme}${userinfo}${ip}${port}${rest}`;
}

/**
 * `withResolvedHost` for any URL ffmpeg reads, plus, for HTTP(S), the input options that keep the
 * request addressed to the name: `-headers "Host: name[:port]"` (ffmpeg then
 * sends no Host of its own). Virtual hosts still answer; an HTTPS server that
 * needs the name in the TLS handshake (SNI) sees the address instead.
 */
export async function resolvedHttpInput(
  url: string,
  label: string,
): Promise<{ url: string; inputArgs: string[] }> {
  const resolved = await withResolvedHost(url, label);
  // Only HTTP has a Host header; other schemes (rtsp://) just get the address.
  if (resolved === url || !/^https?:/i.test(url)) return { url: resolved, inputArgs: [] };
  const authority = PARTS.exec(url)?.[2] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  return { url: resolved, inputArgs: ['-headers', `Host: ${hostPort}\r\n`] };
}
