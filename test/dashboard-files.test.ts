/**
 * mountDashboard serves the dashboard's own built files and nothing else:
 * the bundle is built here with esbuild (as `npm run build` builds it), served
 * on a real HTTP endpoint, and requested with raw request lines so nothing
 * normalises the hostile paths before the server sees them.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDashboard } from '../scripts/build-dashboard.ts';
import { dashboardDir, mountDashboard } from '../src/serve/dashboard-files.ts';
import { type HttpEndpoint, listenHttp } from '../src/serve/http-endpoint.ts';
import { tempDir } from './helpers/media.ts';

const tmp = tempDir('framewire-dashboard-files-');
const built = join(tmp.dir, 'dashboard');
let endpoint: HttpEndpoint;
let missing: HttpEndpoint;

test.before(async () => {
  await buildDashboard(built);
  endpoint = await listenHttp({ port: 0, host: '127.0.0.1', label: 'test' });
  mountDashboard(endpoint, { dir: built, wsPath: '/feed' });
  missing = await listenHttp({ port: 0, host: '127.0.0.1', label: 'test' });
  mountDashboard(missing, { dir: join(tmp.dir, 'never-built') });
});

test.after(async () => {
  await endpoint?.close();
  await missing?.close();
  tmp.cleanup();
});

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends `METHOD TARGET` exactly as written and reads the whole reply. */
function raw(port: number, target: string, method = 'GET', extra = ''): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const at = line.indexOf(':');
        headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({ status: Number(head[0]?.split(' ')[1]), headers, body: all.subarray(split + 4) });
    });
    socket.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`);
  });
}

test('each built file is served with its content type, bytes as built', async () => {
  const cases: [string, string, string][] = [
    // [path, file in the bundle, content type]
    ['/', 'index.html', 'text/html; charset=utf-8'],
    ['/index.html', 'index.html', 'text/html; charset=utf-8'],
    ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
    ['/app.css', 'app.css', 'text/css; charset=utf-8'],
  ];
  for (const [path, file, type] of cases) {
    const r = await raw(endpoint.port, path);
    assert.is(r.status, 200, path);
    assert.is(r.headers['content-type'], type, path);
    assert.is(r.headers['x-content-type-options'], 'nosniff', path);
    assert.is(r.headers['cache-control'], 'no-cache', path);
    assert.ok(r.body.equals(readFileSync(join(built, file))), `${path} is ${file}`);
  }
});

test('the page loads only its own files: no URL to another origin in the bundle', () => {
  const html = readFileSync(join(built, 'index.html'), 'utf8');
  assert.not.match(html, /(src|href)="(https?:)?\/\//);
  const js = readFileSync(join(built, 'app.js'), 'utf8');
  assert.not.match(js, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
});

test('an unchanged file revalidates to 304 by its ETag; HEAD sends no body', async () => {
  const first = await raw(endpoint.port, '/app.js');
  const etag = first.headers.etag;
  assert.ok(etag, 'an ETag is sent');
  const again = await raw(endpoint.port, '/app.js', 'GET', `If-None-Match: ${etag}\r\n`);
  assert.is(again.status, 304);
  assert.is(again.body.length, 0);
  const head = await raw(endpoint.port, '/app.js', 'HEAD');
  assert.is(head.status, 200);
  assert.is(Number(head.headers['content-length']), first.body.length);
  assert.is(head.body.length, 0);
});

test('the page learns the feed path from /dashboard-config.json', async () => {
  const r = await raw(endpoint.port, '/dashboard-config.json');
  assert.is(r.status, 200);
  assert.is(r.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(JSON.parse(r.body.toString()), { ws: '/feed' });
});

test('nothing but the allow-listed paths: traversal, encodings, absolute paths and NUL get 404', async () => {
  const hostile = [
    '/../package.json',
    '/..%2fpackage.json',
    '/%2e%2e/%2e%2e/package.json',
    '/%2E%2E/app.js', // normalises to /app.js in a URL parser: still refused
    '/x/../app.js',
    '/./app.js',
    '//app.js',
    '/app.js%00.png',
    '/app.js\\..\\..\\package.json',
    '/etc/passwd',
    '/dashboard/app.js',
    '/app.js/',
    '/APP.JS',
    '/app.ts',
    '/tsconfig.json',
    'http://x/../../package.json',
  ];
  for (const path of hostile) {
    const r = await raw(endpoint.port, path);
    assert.is(r.status, 404, path);
    assert.not.match(r.body.toString(), /"name": *"framewire"|root:/, path);
  }
  // A query string does not change which file is served.
  assert.is((await raw(endpoint.port, '/app.js?v=2')).status, 200);
});

test('a bundle that was not built is a clear 503 page, not a 404 or a crash', async () => {
  for (const path of ['/', '/app.js']) {
    const r = await raw(missing.port, path);
    assert.is(r.status, 503, path);
    assert.is(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(r.body.toString(), /The dashboard is not built/);
    assert.match(r.body.toString(), /npm run build/);
  }
});

test("the bundle is found in the package's dist/dashboard, or where FRAMEWIRE_DASHBOARD_DIR says", () => {
  const root = new URL('..', import.meta.url).pathname;
  const saved = process.env.FRAMEWIRE_DASHBOARD_DIR;
  try {
    delete process.env.FRAMEWIRE_DASHBOARD_DIR;
    assert.is(dashboardDir(), join(root, 'dist', 'dashboard'));
    process.env.FRAMEWIRE_DASHBOARD_DIR = built;
    assert.is(dashboardDir(), built);
  } finally {
    if (saved === undefined) delete process.env.FRAMEWIRE_DASHBOARD_DIR;
    else process.env.FRAMEWIRE_DASHBOARD_DIR = saved;
  }
});

test.run();
