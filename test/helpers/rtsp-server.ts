import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./rtsp-server.py', import.meta.url));
/** Debian's python3 has the GObject bindings; a pyenv or venv python on PATH may not. */
const PYTHON = process.env.FRAMEWIRE_TEST_PYTHON ?? '/usr/bin/python3';

export type RtspTestCodec = 'h264' | 'h265' | 'mjpeg';

export interface RtspTestServerOptions {
  readonly codec?: RtspTestCodec;
  /** Frames per second (25 unless given); a key frame every second. */
  readonly fps?: number;
  /** Basic authentication: the server refuses every other user or password with 401. */
  readonly user?: string;
  readonly password?: string;
}

/** Every server process any test started, killed when the test process ends however it ends. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port nothing listens on right now (the kernel's pick for port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * GStreamer's RTSP server (test/helpers/rtsp-server.py) on a free loopback port,
 * serving a live 320x240 stream (25 fps unless told) at `/test`. `stop()` and `start()` take it
 * away and bring it back on the same port, as a rebooting camera would.
 */
export class RtspTestServer {
  #child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly opts: RtspTestServerOptions,
  ) {}

  static async start(opts: RtspTestServerOptions = {}): Promise<RtspTestServer> {
    const server = new RtspTestServer(await freePort(), opts);
    await server.start();
    return server;
  }

  /** rtsp://127.0.0.1:PORT/test, with `user:password@` when given (percent-encoded as a URL needs). */
  url(credentials?: { user: string; password: string }, path = '/test'): string {
    const auth = credentials
      ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@`
      : '';
    return `rtsp://${auth}127.0.0.1:${this.port}${path}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the server (again) on its port and resolves once it prints "ready". */
  async start(): Promise<void> {
    if (this.#child) return;
    const { codec = 'h264', fps = 25, user, password } = this.opts;
    const creds = user !== undefined ? [user, password ?? ''] : [];
    const child = spawn(PYTHON, [SCRIPT, String(this.port), codec, String(fps), ...creds], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    this.#child = child;
    child.once('exit', () => running.delete(child));
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (t: string) => {
      stderr = (stderr + t).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (t: string) => {
        out += t;
        if (out.includes('ready')) {
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      child.stdout!.setEncoding('utf8').on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`rtsp-server.py exited (${code}) before ready: ${stderr}`)),
      );
    });
  }

  /**
   * Freezes the server (SIGSTOP): connections stay open and say nothing, as a
   * camera that hangs does. `resume()` (SIGCONT) lets it go on.
   */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Kills the server (as a power cut would) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
  }
}

/**
 * A TCP port that accepts connections and then never says a word: an RTSP URL
 * that never answers (a hung camera, a firewall that swallows packets after the
 * handshake). Connections are held open until `close()`.
 */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
