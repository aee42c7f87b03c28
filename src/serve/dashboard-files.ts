import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpEndpoint } from './http-endpoint.ts';

/**
 * The dashboard's files by the exact request path that serves each, and their
 * content types. Nothing else is served: a path is looked up in this table as
 * the client sent it, never joined to a directory, so `..`, `%2e%2e`, absolute
 * paths and NUL bytes cannot reach a file (they get 404).
 */
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** Where the page finds the feed: the websocket sink's path. */
const CONFIG_PATH = '/dashboard-config.json';

/**
 * The page loads only its own files and talks only to its own origin. No
 * referrer leaves it: the address may carry `?token=`.
 */
const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

export interface DashboardFilesOptions {
  /** The WebSocket path the page connects to (the sink's `path`); default `/ws`. */
  readonly wsPath?: string;
  /** The built bundle; default `FRAMEWIRE_DASHBOARD_DIR`, else the package's `dist/dashboard`. */
  readonly dir?: string;
}

/**
 * Serves the browser dashboard (built by `npm run build` into dist/dashboard)
 * at `/` of the endpoint, with `/dashboard-config.json` telling the page where
 * the feed is. Files are read at each request, revalidated by ETag, so a
 * rebuilt bundle shows at the next reload; when the bundle is missing, the
 * page says how to build it (503).
 */
export function mountDashboard(endpoint: HttpEndpoint, opts: DashboardFilesOptions = {}): void {
  const dir = opts.dir ?? dashboardDir();
  const config = JSON.stringify({ ws: opts.wsPath ?? '/ws' });
  for (const path of Object.keys(FILES)) {
    endpoint.route(path, (req, res) => serveFile(req, res, dir));
  }
  endpoint.route(CONFIG_PATH, (req, res) => {
    if (rawPath(req) !== CONFIG_PATH) return notFound(res);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(config),
    });
    res.end(config);
  });
}

/** The built dashboard's directory: `FRAMEWIRE_DASHBOARD_DIR`, or dist/dashboard of this package. */
export function dashboardDir(): string {
  const fromEnv = process.env.FRAMEWIRE_DASHBOARD_DIR;
  if (fromEnv) return fromEnv;
  return join(packageRoot(), 'dist', 'dashboard');
}

/**
 * The directory of framewire's package.json above this file: two levels up
 * from src/serve when run from source, three from dist/src/serve when built.
 */
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (
          (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'framewire'
        ) {
          return dir;
        }
      } catch {
        // Not ours, or unreadable: keep looking upwards.
      }
    }
    if (dirname(dir) === dir) return join(here, '..', '..');
  }
}

/** The path exactly as the client sent it, before any decoding or normalising. */
function rawPath(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

async function serveFile(req: IncomingMessage, res: ServerResponse, dir: string): Promise<void> {
  // The endpoint routes by the normalised path ('/x/../app.js' is '/app.js'); only the literal one is served.
  const entry = FILES[rawPath(req)];
  if (!entry) return notFound(res);
  const path = join(dir, entry.file);
  let info: Awaited<ReturnType<typeof stat>>;
  let body: Buffer;
  try {
    info = await stat(path);
    body = await readFile(path);
  } catch {
    return notBuilt(res, dir);
  }
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const headers = {
    ...SECURITY_HEADERS,
    'Content-Type': entry.type,
    // Names carry no hash, so each load revalidates; an unchanged file costs a 304.
    'Cache-Control': 'no-cache',
    ETag: etag,
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, 'Content-Length': body.length });
  res.end(body);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
  res.end('not found\n');
}

function notBuilt(res: ServerResponse, dir: string): void {
  res.writeHead(503, {
    ...SECURITY_HEADERS,
    // This page is self-contained: its only style is inline.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Retry-After': '10',
  });
  res.end(
    '<!doctype html><meta charset="utf-8"><title>framewire dashboard not built</title>' +
      '<body style="background:#111315;color:#d9dde1;font:15px system-ui;padding:2em">' +
      '<h1 style="font-size:20px">The dashboard is not built</h1>' +
      `<p>Its files were not found in <code>${escapeHtml(dir)}</code>.</p>` +
      '<p>Build it with <code>npm run build</code> in the framewire checkout ' +
      '(or <code>node --import tsx scripts/build-dashboard.ts</code>), then reload this page. ' +
      'The WebSocket feed and <code>/metrics</code> work meanwhile.</p></body>\n',
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
