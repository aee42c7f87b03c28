import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

export interface MediaServerOptions {
  /** Files served under /files/NAME (MP4, HLS playlists and segments). */
  readonly dir: string;
  /** JPEG frames the /mjpeg stream cycles through, one part per frame. */
  readonly jpegs?: readonly Buffer[];
  /** Parts per second of /mjpeg. */
  readonly mjpegFps?: number;
  /** Required `user:password` (Basic authentication) when set. */
  readonly auth?: string;
}

const TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
};

/**
 * A real HTTP server for the http source's tests, on a free loopback port:
 * files as they are, and an MJPEG camera stream (multipart/x-mixed-replace,
 * one JPEG per part at a steady rate, as IP cameras send it). `stop()` and
 * `start()` again on the same port make an outage.
 */
export class MediaServer {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #port = 0;
  /** Requests per path, to see the client come back. */
  readonly requests = new Map<string, number>();

  constructor(private readonly opts: MediaServerOptions) {}

  get port(): number {
    return this.#port;
  }

  url(path: string, credentials = ''): string {
    return `http://${credentials ? `${credentials}@` : ''}127.0.0.1:${this.#port}${path}`;
  }

  /** Listens on the port it had before, or a free one the first time. */
  start(): Promise<void> {
    const server = createServer((req, res) => this.#handle(req, res));
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        this.#port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  /** Stops listening and cuts every open connection (a server that went away). */
  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.clear();
    for (const socket of this.#sockets) socket.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
    if (this.opts.auth) {
      const expected = `Basic ${Buffer.from(this.opts.auth).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="camera"' }).end();
        return;
      }
    }
    if (path === '/mjpeg') {
      this.#mjpeg(res);
      return;
    }
    const name = path.startsWith('/files/') ? path.slice('/files/'.length) : '';
    let body: Buffer;
    try {
      if (!/^[\w.-]+$/.test(name)) throw new Error('bad name');
      body = readFileSync(join(this.opts.dir, name));
    } catch {
      res.writeHead(404).end();
      return;
    }
    const ext = name.split('.').pop() ?? '';
    res.writeHead(200, {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Content-Length': body.length,
    });
    res.end(body);
  }

  /** One part per frame: boundary, headers, JPEG bytes; frames cycle for as long as the client reads. */
  #mjpeg(res: ServerResponse): void {
    const jpegs = this.opts.jpegs ?? [];
    const boundary = 'framewireboundary';
    res.writeHead(200, {
      'Content-Type': `multipart/x-mixed-replace; boundary=${boundary}`,
      'Cache-Control': 'no-cache',
    });
    let i = 0;
    const send = () => {
      const jpeg = jpegs[i++ % jpegs.length]!;
      res.write(
        `--${boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`,
      );
      res.write(jpeg);
      res.write('\r\n');
    };
    send();
    const timer = setInterval(send, 1000 / (this.opts.mjpegFps ?? 10));
    this.#timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      this.#timers.delete(timer);
    });
  }
}
