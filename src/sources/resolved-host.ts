import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FramewireError } from '../core/errors.ts';

/**
 * `scheme://`, `userinfo@` up to the LAST `@` (passwords hold `@`, `:` and `/`
 * unescaped, as `redactUrl` assumes too), then host, `:port` and the rest.
 */
function splitUrl(url: string) {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (!scheme) return undefined;
  const after = url.slice(scheme.length);
  const at = after.lastIndexOf('@');
  const userinfo = at >= 0 ? after.slice(0, at + 1) : '';
  const tail = after.slice(at + 1);
  const end = tail.search(/[/?#]/);
  const hostPort = end >= 0 ? tail.slice(0, end) : tail;
  const rest = end >= 0 ? tail.slice(end) : '';
  const colon = hostPort.startsWith('[') ? hostPort.indexOf(']:') + 1 : hostPort.lastIndexOf(':');
  const host = colon > 0 ? hostPort.slice(0, colon) : hostPort;
  const port = colon > 0 ? hostPort.slice(colon) : '';
  return { scheme, userinfo, host, port, hostPort, rest };
}

/**
 * The URL with its host name replaced by an address Node resolved. The bundled
 * static ffmpeg crashes (SIGSEGV) resolving any host name, `localhost` included,
 * so a camera named `cam.local` would never connect; resolving it here also
 * gives a clear error for a name that does not exist. Addresses pass unchanged.
 */
export async function withResolvedHost(url: string, label: string): Promise<string> {
  const parts = splitUrl(url);
  if (!parts) return url;
  const { scheme, userinfo, host, port, rest } = parts;
  if (host === '' || host.startsWith('[') || isIP(host) !== 0) return url;
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
  const hostPort = splitUrl(url)?.hostPort ?? '';
  return { url: resolved, inputArgs: ['-headers', `Host: ${hostPort}\r\n`] };
}
