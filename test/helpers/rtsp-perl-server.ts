// rtsp-server-perl (Debian's RTSP::Server) for the rtsp sink's tests: a
// publisher ANNOUNCEs and RECORDs on the publish port, readers PLAY the same
// path on the client port. How it behaves (read from /usr/share/perl5/RTSP/Server):
// - publishing works over UDP only: it answers a TCP (interleaved) SETUP, but
//   then parses the interleaved RTP as garbage requests, and ffmpeg does not notice;
// - it forwards RTP over UDP only (readers need `-rtsp_transport udp`);
// - RTP ports are allocated upward from --rtp_start_port, two per publisher
//   stream and two per reader, reset when no path is mounted;
// - a path stays mounted until its publisher sends TEARDOWN (ffmpeg does at
//   the end of its input); a publisher that vanishes without it leaves the
//   path taken (403) until the server restarts.
// - RTP ports restart at 20000 whenever no path is mounted (its housekeeping
//   resets them to the built-in default, whatever --rtp_start_port said), so
//   two servers on one machine both bind 20000 and the second fails its first
//   publisher ("Invalid data found" in ffmpeg, then 403 for the stale path).
//   One test process at a time may run servers: `machineLock` below.
// Ports are found free here; a stopped server can be started again on the
// same ports (an outage). Every server is killed when the test process exits.
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** UDP ports the server may use for RTP: publisher and a few readers. */
const RTP_PORTS = 16;
const START_TIMEOUT_MS = 15_000;

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface PerlRtspServer {
  readonly clientPort: number;
  readonly publishPort: number;
  /** Where a publisher (the rtsp sink) sends `path`, with optional userinfo. */
  publishUrl(path: string, userinfo?: string): string;
  /** Where a reader plays `path` (UDP only). */
  readUrl(path: string): string;
  /** Whether the server process runs now. */
  readonly running: boolean;
  /** Starts it (again) on the same ports; resolves once both ports accept connections. */
  start(): Promise<void>;
  /** Kills it abruptly (an outage: no goodbye to anyone); resolves once it is gone. */
  kill(): Promise<void>;
  /** What it printed, all runs together. */
  readonly output: string;
}

const LOCK = join(tmpdir(), 'framewire-rtsp-server-perl.lock');
const LOCK_WAIT_MS = 240_000;
let locked: Promise<void> | undefined;

/**
 * Holds the machine-wide right to run rtsp-server-perl until this test process
 * exits: a directory created atomically, with the holder's pid inside so a
 * lock left by a killed process is taken over. Waits for another holder.
 */
function machineLock(): Promise<void> {
  locked ??= (async () => {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        mkdirSync(LOCK);
        writeFileSync(join(LOCK, 'pid'), String(process.pid));
        process.on('exit', () => rmSync(LOCK, { recursive: true, force: true }));
        return;
      } catch {
        if (holderGone()) rmSync(LOCK, { recursive: true, force: true });
        else if (Date.now() > deadline) {
          throw new Error(`another test process has held ${LOCK} for ${LOCK_WAIT_MS} ms`);
        } else await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  })();
  return locked;
}

/** Whether the lock's holder is no longer running (or never wrote its pid). */
function holderGone(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    return false; // being created right now
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** Starts a server on free loopback ports and waits until it listens. */
export async function startPerlRtspServer(): Promise<PerlRtspServer> {
  await machineLock();
  const clientPort = await freeTcpPort();
  const publishPort = await freeTcpPort();
  const rtpStart = await freeUdpRange(RTP_PORTS);
  let child: ChildProcess | undefined;
  let output = '';

  const server: PerlRtspServer = {
    clientPort,
    publishPort,
    publishUrl: (path, userinfo) =>
      `rtsp://${userinfo ? `${userinfo}@` : ''}127.0.0.1:${publishPort}/${path}`,
    readUrl: (path) => `rtsp://127.0.0.1:${clientPort}/${path}`,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    get output() {
      return output;
    },
    async start() {
      if (server.running) return;
      const proc = spawn(
        'rtsp-server-perl',
        [
          ...['-c', String(clientPort), '-s', String(publishPort)],
          ...['--client_listen_address', '127.0.0.1', '--source_listen_address', '127.0.0.1'],
          ...['--rtp_start_port', String(rtpStart), '-l', '3'],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = proc;
      running.add(proc);
      proc.on('exit', () => running.delete(proc));
      proc.stdout!.on('data', (d: Buffer) => (output += d));
      proc.stderr!.on('data', (d: Buffer) => (output += d));
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (;;) {
        if (!server.running) throw new Error(`rtsp-server-perl exited at start:\n${output}`);
        if ((await accepts(clientPort)) && (await accepts(publishPort))) return;
        if (Date.now() > deadline) {
          proc.kill('SIGKILL');
          await exited;
          throw new Error(
            `rtsp-server-perl did not listen within ${START_TIMEOUT_MS} ms:\n${output}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async kill() {
      const proc = child;
      if (!proc || !server.running) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGKILL');
      await exited;
    },
  };
  try {
    await server.start();
  } catch (err) {
    await server.kill();
    throw err;
  }
  return server;
}

/** A TCP port nobody listens on now (the kernel's choice). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The first of `count` consecutive free UDP ports, from a random even start
 * below Linux's ephemeral range (32768–60999): the server binds them only
 * later, and in between any socket bound to port 0 (another test's readers
 * and servers) could take one from inside that range. A server whose RTP port
 * was taken answers SETUP badly, and rtsp-server-perl then keeps the path
 * taken (403) until it restarts: seen once in CI with two test files at once.
 */
async function freeUdpRange(count: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const start = 2 * Math.floor(5_000 + Math.random() * 10_000);
    let free = true;
    for (let p = start; p < start + count && free; p++) free = await udpFree(p);
    if (free) return start;
  }
  throw new Error('no free UDP port range for RTP');
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
