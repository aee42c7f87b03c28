import type { CpuAccount } from '../core/cpu-ledger.ts';
import { annexBToLengthPrefixed } from '../codec/avc.ts';
import { flvFileHeader, flvSequenceHeader, flvVideoTag } from '../codec/flv.ts';
import type { AvcDecoderConfig, EncodedVideo } from '../core/encoded.ts';
import { FfmpegProcess } from '../core/ffmpeg-process.ts';
import type { SchedulerLike } from 'rxjs';

export type RtspTransport = 'tcp' | 'udp';

export interface RtspPublisherOptions {
  /** The URL as given, credentials included: it goes to ffmpeg only, never into a message. */
  readonly url: string;
  readonly transport: RtspTransport;
  /** The decoder configuration of the stream this connection carries (from its first key frame). */
  readonly config: AvcDecoderConfig;
  /** The sink's label, for errors. */
  readonly component: string;
  /** The component's CPU account: its ffmpeg process is charged to it. */
  readonly cpu?: CpuAccount;
  /** For the grace period of `end()`. */
  readonly scheduler: SchedulerLike;
}

/** What the rtsp sink's session uses of a connection (a test may substitute a fake). */
export type Publisher = Pick<
  RtspPublisher,
  'connected' | 'ended' | 'config' | 'isConnected' | 'write' | 'end' | 'kill'
>;

/**
 * ffmpeg prints its output's description only after the muxer's header is
 * written, and for RTSP writing the header is the whole ANNOUNCE / SETUP /
 * RECORD exchange: this line means the server accepted the stream.
 */
const CONNECTED_LINE = /^Output #0, rtsp, to /;

/** The arguments of one publishing ffmpeg: FLV on stdin, copied to RTSP. */
export function publishArgs(url: string, transport: RtspTransport): string[] {
  return [
    // info, for the `Output #0` line; -nostats keeps the per-second progress out.
    ...['-loglevel', 'info', '-nostats'],
    // The stream is described by its sequence header: no need to read ahead
    // (which would hold the first frames back and delay the connection).
    ...['-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer'],
    ...['-f', 'flv', '-i', 'pipe:0', '-map', '0:v:0', '-c', 'copy'],
    ...['-f', 'rtsp', '-rtsp_transport', transport, url],
  ];
}

/**
 * One publishing connection: a bundled-ffmpeg process that reads the
 * encoded stream as FLV on stdin (H.264 as encoded, timestamps kept, see
 * `codec/flv.ts`) and publishes it with `-c copy`, ANNOUNCE then RECORD. It
 * lives as long as the server keeps the connection: when the server goes
 * away ffmpeg's next write fails (EPIPE) and it exits, which `ended` reports.
 * A connection carries one stream format; a new format needs a new one.
 */
export class RtspPublisher {
  /** Resolves when the server accepted the stream; never rejects (see `ended`). */
  readonly connected: Promise<void>;
  /** Resolves when the connection is over, with why in a few words (undefined: we ended it). */
  readonly ended: Promise<string | undefined>;
  readonly config: AvcDecoderConfig;
  #isConnected = false;
  #firstPts: number | undefined;
  #lastMs = -1;
  #ending = false;
  /** Why we dropped the connection ourselves, when that is a failure (no answer in time). */
  #killReason: string | undefined;
  readonly #proc: FfmpegProcess;
  readonly #scheduler: SchedulerLike;

  constructor(opts: RtspPublisherOptions) {
    this.config = opts.config;
    this.#scheduler = opts.scheduler;
    let onConnected: () => void = () => {};
    this.connected = new Promise((resolve) => (onConnected = resolve));
    this.#proc = new FfmpegProcess({
      args: publishArgs(opts.url, opts.transport),
      stdin: true,
      errorCode: 'CONNECTION_LOST',
      component: opts.component,
      ...(opts.cpu ? { cpu: opts.cpu } : {}),
      onStderrLine: (line) => {
        if (this.#isConnected || !CONNECTED_LINE.test(line)) return;
        this.#isConnected = true;
        onConnected();
      },
    });
    this.ended = this.#proc.exited.then((exit) => {
      if (this.#killReason) return this.#killReason;
      if (this.#ending && (exit.code === 0 || exit.signal === 'SIGKILL')) return undefined;
      if (exit.spawnError) return this.#proc.errorFor(exit)?.message ?? 'ffmpeg did not start';
      return publishFailure(this.#proc.stderrText, this.#isConnected);
    });
    // The stream starts with its description; ffmpeg reads it before it connects.
    void this.#send(flvFileHeader());
    void this.#send(flvSequenceHeader(opts.config.description));
  }

  /** Whether the server has accepted the stream. */
  get isConnected(): boolean {
    return this.#isConnected;
  }

  /**
   * Sends one access unit; resolves when the pipe took it (ffmpeg's pace is
   * the backpressure). Never rejects: a failed write means the connection is
   * gone, which `ended` reports.
   */
  write(encoded: EncodedVideo): Promise<void> {
    const { packet } = encoded;
    this.#firstPts ??= packet.pts;
    // Milliseconds from this connection's first packet, strictly increasing
    // (FLV's unit; two pictures closer than 1 ms would otherwise collide).
    const ms = Math.max(this.#lastMs + 1, Math.round((packet.pts - this.#firstPts) / 1000));
    this.#lastMs = ms;
    return this.#send(flvVideoTag(annexBToLengthPrefixed(packet.data), packet.key, ms));
  }

  /**
   * Ends the connection on purpose: end of input, so ffmpeg flushes and sends
   * TEARDOWN; killed if it has not exited after `graceMs`. Resolves once it exited.
   */
  async end(graceMs: number): Promise<void> {
    this.#ending = true;
    this.#proc.stdin.end();
    const timer = this.#scheduler.schedule(() => this.#proc.kill(), graceMs);
    await this.#proc.exited;
    timer.unsubscribe();
  }

  /**
   * Drops the connection now: at shutdown (no `reason`), or as a failure
   * (`reason`, e.g. no answer in time), which `ended` then reports. Resolves once it exited.
   */
  async kill(reason?: string): Promise<void> {
    this.#killReason ??= reason;
    this.#ending = true;
    await this.#proc.stop();
  }

  #send(bytes: Uint8Array): Promise<void> {
    if (!this.#proc.running) return Promise.resolve();
    return this.#proc.write(bytes).catch(() => {});
  }
}

/**
 * Why a publishing ffmpeg ended, in a few words from its stderr (credentials
 * are redacted by whoever prints it: FramewireError, the health log).
 */
export function publishFailure(stderr: string, wasConnected: boolean): string {
  const server = stderr.match(/Server returned (\d{3}[^\r\n]*)/);
  if (server) return `the server refused the stream: ${server[1]!.trim()}`;
  if (/Connection refused/.test(stderr)) return 'connection refused';
  // ffmpeg's word for RTSP 461 Unsupported Transport.
  if (/Protocol not supported/.test(stderr))
    return 'the server does not accept this transport (461); try the other one';
  if (/Connection timed out/.test(stderr)) return 'connection timed out';
  if (/Broken pipe|Connection reset/.test(stderr))
    return wasConnected ? 'the server closed the connection' : 'the server hung up';
  if (/No route to host|Network is unreachable/.test(stderr)) return 'the server is unreachable';
  if (/Failed to resolve hostname/.test(stderr)) return 'cannot resolve the server name';
  const header = stderr.match(
    /Could not write header for output file #\d+ \(incorrect codec parameters \?\): ([^\r\n]+)/,
  );
  if (header) return `ffmpeg: ${header[1]!.trim()}`;
  const last = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(
      (l) =>
        l && !/^(Conversion failed|video:|frame=|Stream mapping|Stream #|Last message)/.test(l),
    )
    .pop();
  return last ? `ffmpeg: ${last}` : 'ffmpeg ended';
}
