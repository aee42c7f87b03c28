import type { CpuAccount } from '../core/cpu-ledger.ts';
import type { Clock } from '../core/clock.ts';
import type { Source, SourceObserver, StreamInfo } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';
import type { FramePool } from '../core/frame-pool.ts';
import { IncreasingTimes } from './increasing-times.ts';
import { PacketFileReader } from './packet-file-reader.ts';
import { RawFrameReader } from './raw-frame-reader.ts';
import { rtspOpenError } from './rtsp-errors.ts';
import { withResolvedHost } from './resolved-host.ts';

export type RtspTransport = 'tcp' | 'udp' | 'auto';

export interface RtspConnectionOptions {
  /** The camera's URL as configured, credentials included: it goes to ffmpeg and nowhere else. */
  readonly url: string;
  /** The same URL redacted, for every message. */
  readonly label: string;
  readonly transport: RtspTransport;
  /** Seconds from starting ffmpeg to the first picture (a key frame) before the attempt is given up. */
  readonly connectTimeout: number;
  /** Seconds ffmpeg waits on the socket (connect, each reply, each read) before failing. */
  readonly readTimeout: number;
  /**
   * Shared by all attempts of one source: how its stream is read, learnt once
   * (H.264 packets first; HEVC packets when the stream says it is HEVC; ffmpeg
   * decoding for anything else), so later attempts go straight to the right reader.
   */
  readonly codecMemo: { read: 'h264' | 'hevc' | 'ffmpeg' };
  readonly pool: FramePool;
  readonly clock: Clock;
  /** The component's CPU account: its ffmpeg process is charged to it. */
  readonly cpu?: CpuAccount;
}

/**
 * ffmpeg's input options for an RTSP camera. `-stimeout` is the 2018 build's
 * socket timeout (µs; later builds call it `-timeout`); `auto` leaves ffmpeg's
 * default, which tries UDP and falls back to TCP when the camera refuses UDP or
 * no UDP packet comes. Only the video is set up: audio would cost bandwidth for nothing.
 */
export function rtspInputArgs(
  o: Pick<RtspConnectionOptions, 'url' | 'transport' | 'readTimeout'>,
): string[] {
  return [
    ...(o.transport === 'auto' ? [] : ['-rtsp_transport', o.transport]),
    ...['-stimeout', String(Math.round(o.readTimeout * 1e6))],
    ...['-allowed_media_types', 'video'],
    ...['-i', o.url],
  ];
}

/** How packet-reader.ts says the stream is another codec than the one it reads: `… is hevc video; …`, `… is mjpeg video, not hevc`. */
const OTHER_CODEC = / is (\w+) video(?:;|, not )/;

/**
 * One connection to an RTSP camera: one ffmpeg process that reads the stream
 * until it ends or fails (the ReconnectingSource then makes the next one).
 * H.264 and HEVC are copied as packets (`-c copy`) for the in-process decode
 * stage, with the stream's own timestamps; any other codec (MJPEG, …) is
 * decoded by ffmpeg into raw frames. Every failure to connect becomes one clear, redacted
 * SOURCE_OPEN error (rtsp-errors.ts).
 */
export class RtspConnection implements Source {
  readonly live = true;
  #active: Source | undefined;
  #times: IncreasingTimes | undefined;
  #closed = false;

  constructor(private readonly opts: RtspConnectionOptions) {}

  async open(): Promise<StreamInfo> {
    const { clock, connectTimeout, label } = this.opts;
    let timer: { unsubscribe(): void } | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = clock.scheduler.schedule(
        () =>
          reject(
            new FramewireError(
              'SOURCE_OPEN',
              `no picture from ${label} within connectTimeout (${connectTimeout} s)`,
              {
                hint: 'The camera answered too slowly or sent no key frame; raise connectTimeout, or check the camera.',
              },
            ),
          ),
        connectTimeout * 1000,
      );
    });
    try {
      const info = await Promise.race([this.#openReader(), timeout]);
      this.#times = new IncreasingTimes(1e6 / (info.fps ?? 25));
      return info;
    } catch (err) {
      // The attempt is over whatever happened: no ffmpeg outlives it.
      await this.close();
      throw err;
    } finally {
      timer?.unsubscribe();
    }
  }

  start(observer: SourceObserver): void {
    const times = this.#times!;
    this.#require().start({
      next: (frame) => observer.next(times.fix(frame)),
      error: (err) => observer.error(err),
      complete: () => observer.complete(),
    });
  }

  request(n: number): void {
    this.#require().request(n);
  }

  stop(): void {
    this.#active?.stop();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#active?.close();
  }

  dropped(): number {
    return this.#active?.dropped() ?? 0;
  }

  async #openReader(): Promise<StreamInfo> {
    const { codecMemo } = this.opts;
    // Resolved for each connection: a camera's address may change while it is away.
    const url = await withResolvedHost(this.opts.url, this.opts.label);
    for (;;) {
      const read = codecMemo.read;
      if (read === 'ffmpeg') {
        try {
          return await this.#use(this.#frames(url));
        } catch (err) {
          throw this.#explain(err);
        }
      }
      try {
        return await this.#use(this.#packets(url, read));
      } catch (err) {
        const other = OTHER_CODEC.exec(err instanceof Error ? err.message : String(err))?.[1];
        if (!other || this.#closed) throw this.#explain(err);
        // The camera answered; its stream is another codec: read it the right way at once.
        codecMemo.read = other === 'hevc' && read !== 'hevc' ? 'hevc' : 'ffmpeg';
        await this.#active?.close();
      }
    }
  }

  async #use(source: Source): Promise<StreamInfo> {
    this.#active = source;
    if (this.#closed) await source.close();
    return source.open();
  }

  #packets(url: string, codec: 'h264' | 'hevc'): Source {
    return new PacketFileReader({
      codec,
      inputArgs: rtspInputArgs({ ...this.opts, url }),
      duration: undefined,
      total: {},
      sourceId: this.opts.label,
      clock: this.opts.clock,
      ...(this.opts.cpu ? { cpu: this.opts.cpu } : {}),
    });
  }

  #frames(url: string): Source {
    return new RawFrameReader({
      inputArgs: rtspInputArgs({ ...this.opts, url }),
      format: 'yuv420p',
      sourceId: this.opts.label,
      pool: this.opts.pool,
      clock: this.opts.clock,
      describe: this.opts.label,
      ...(this.opts.cpu ? { cpu: this.opts.cpu } : {}),
    });
  }

  #explain(err: unknown): FramewireError {
    const text = err instanceof Error ? err.message : String(err);
    return rtspOpenError(text, { label: this.opts.label, readTimeout: this.opts.readTimeout }, err);
  }

  #require(): Source {
    if (!this.#active) throw new Error('RTSP connection used before open()');
    return this.#active;
  }
}
