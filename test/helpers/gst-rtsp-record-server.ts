// GStreamer's RTSP server in RECORD mode (gst-rtsp-record-server.py): it takes
// a published H.264 stream over the transports it is told to accept and
// writes it to a file, so a test can check the rtsp sink's TCP transport
// (rtsp-server-perl takes UDP only) and decode what arrived.
import { type ChildProcess, spawn } from 'node:child_process';
import { freeTcpPort } from './rtsp-perl-server.ts';

const SCRIPT = new URL('./gst-rtsp-record-server.py', import.meta.url).pathname;
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface RecordServer {
  readonly port: number;
  url(userinfo?: string): string;
  stop(): Promise<void>;
}

/** Starts it on a free loopback port; resolves once it listens. */
export async function startRecordServer(
  output: string,
  transports: 'tcp' | 'udp' | 'any',
): Promise<RecordServer> {
  const port = await freeTcpPort();
  // Debian's python3 has the GObject bindings; a pyenv one on PATH may not.
  const child = spawn('/usr/bin/python3', [SCRIPT, String(port), 'record', output, transports], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  let text = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening" within 15 s:\n${text}`)),
      15_000,
    );
    const onData = (d: Buffer) => {
      text += d;
      if (text.includes(`listening ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the record server exited at start:\n${text}`));
    });
  }).catch(async (err) => {
    child.kill('SIGKILL');
    await exited;
    throw err;
  });
  return {
    port,
    url: (userinfo) => `rtsp://${userinfo ? `${userinfo}@` : ''}127.0.0.1:${port}/record`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
