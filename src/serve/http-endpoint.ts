import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { FramewireError, type FatalErrorCode } from '../core/errors.ts';

export interface HttpEndpointOptions {
  /** 0 picks a free port (tests); `HttpEndpoint.port` tells which. */
  readonly port: number;
  readonly host: string;
  /** PEM files: serve https (and wss) instead of http. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Who listens, for messages: `sinks[0] (websocket)`, `metrics`. */
  readonly label: string;
  /** The code a failure to listen is raised with: SINK_OPEN for a sink. */
  readonly code?: FatalErrorCode;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * One HTTP(S) server per port, shared by whatever serves on it: the WebSocket
 * feed (an upgrade at its path), `/metrics`, `/healthz`, `/readyz` and the
 * dashboard's files. Unknown paths get 404, other methods than GET/HEAD 405,
 * an upgrade nobody takes is refused with 404, and a handler that throws
 * answers 500 without taking the process down.
 */
export interface HttpEndpoint {
  /** The port actually bound. */
  readonly port: number;
  readonly host: string;
  /** `http://127.0.0.1:8080` (https when tls is set). */
  readonly url: string;
  /** Serves GET (and HEAD) at exactly `path`; a later route for the same path replaces it. */
  route(path: string, handler: RouteHandler): void;
  /** Serves every GET below `prefix` (`/` serves everything not routed exactly). */
  routePrefix(prefix: string, handler: RouteHandler): void;
  /** Takes HTTP upgrades (WebSocket) at exactly `path`. */
  upgrade(path: string, handler: UpgradeHandler): void;
  /** Stops listening and ends open connections. Idempotent. */
  close(): Promise<void>;
}

export async function listenHttp(opts: HttpEndpointOptions): Promise<HttpEndpoint> {
  const code = opts.code ?? 'SINK_OPEN';
  const routes = new Map<string, RouteHandler>();
  const prefixes: { prefix: string; handler: RouteHandler }[] = [];
  const upgrades = new Map<string, UpgradeHandler>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const path = pathOf(req);
    const handler =
      (path !== undefined ? routes.get(path) : undefined) ??
      prefixes.find((p) => path?.startsWith(p.prefix))?.handler;
    if (!handler) return plain(res, 404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(res, 405, 'method not allowed');
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch(() => {
        if (!res.headersSent) plain(res, 500, 'internal error');
        else res.destroy();
      });
  };
  const server = opts.tls
    ? createHttpsServer(
        { cert: readPem(opts.tls.cert, 'cert', opts), key: readPem(opts.tls.key, 'key', opts) },
        onRequest,
      )
    : createHttpServer(onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = pathOf(req);
    const handler = path !== undefined ? upgrades.get(path) : undefined;
    if (!handler) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    handler(req, socket, head);
  });
  // A client that resets its connection is its own problem, never the pipeline's.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => reject(listenError(err, opts, code));
    server.once('error', failed);
    server.listen(opts.port, opts.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  let closing: Promise<void> | undefined;
  return {
    port,
    host: opts.host,
    url: `${opts.tls ? 'https' : 'http'}://${shownHost}:${port}`,
    route: (path, handler) => void routes.set(path, handler),
    routePrefix: (prefix, handler) => {
      prefixes.push({ prefix, handler });
      // The longest prefix wins.
      prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    },
    upgrade: (path, handler) => void upgrades.set(path, handler),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The request's path without its query, or undefined if it cannot be parsed. */
export function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function readPem(path: string, what: string, opts: HttpEndpointOptions): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new FramewireError(opts.code ?? 'SINK_OPEN', `cannot read the TLS ${what} "${path}"`, {
      component: opts.label,
      hint: 'tls.cert and tls.key name PEM files',
      cause: err,
    });
  }
}

function listenError(
  err: NodeJS.ErrnoException,
  opts: HttpEndpointOptions,
  code: FatalErrorCode,
): FramewireError {
  const where = `${opts.host}:${opts.port}`;
  if (err.code === 'EADDRINUSE') {
    return new FramewireError(code, `port ${opts.port} is already in use (${where})`, {
      component: opts.label,
      hint: 'stop what uses it, or choose another port',
      cause: err,
    });
  }
  if (err.code === 'EACCES') {
    return new FramewireError(code, `not allowed to listen on port ${opts.port} (${where})`, {
      component: opts.label,
      hint: 'ports below 1024 need privileges; choose a port above 1024',
      cause: err,
    });
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
    return new FramewireError(code, `cannot listen on ${where}: no such local address`, {
      component: opts.label,
      hint: 'host is an address of this machine: 127.0.0.1, 0.0.0.0 or a local interface',
      cause: err,
    });
  }
  return new FramewireError(code, `cannot listen on ${where}: ${err.message}`, {
    component: opts.label,
    cause: err,
  });
}
