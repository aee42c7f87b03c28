import type { CpuAccount } from '../core/cpu-ledger.ts';
import type { Clock } from '../core/clock.ts';
import type { Source, SourceObserver, StreamInfo } from '../core/component.ts';
import type { Frame, Packet } from '../core/frame.ts';
import { expectedFrames, type FrameTotalInput } from './frame-total.ts';
import { openPacketReader, type PacketCodec, type PacketReader } from './packet-reader.ts';

export interface PacketFileReaderOptions {
  /** ffmpeg arguments up to and including the input, with `-ss` but never `-t` (cut here). */
  readonly inputArgs: readonly string[];
  /** Seconds of the input to deliver, from `start` (or the beginning); absent = all. */
  readonly duration: number | undefined;
  /** How the frame total is computed, except for the container's facts. */
  readonly total: Omit<FrameTotalInput, 'containerDuration' | 'fps'>;
  readonly sourceId: string;
  readonly clock: Clock;
  /** The component's CPU account: its ffmpeg process is charged to it. */
  readonly cpu?: CpuAccount;
  /** The stream's codec, `h264` unless told (see PacketReaderOptions). */
  readonly codec?: PacketCodec;
}

/**
 * Emits a file's H.264 access units as frames carrying `meta.packet` and no
 * pixels: ffmpeg only remuxes, and the pipeline's `decode` stage (inserted by
 * the assembler after any source whose stream says `emits: 'packets'`)
 * decodes in-process, metered like every stage.
 *
 * Timestamps are the container's. The cut is exact: ffmpeg seeks to the key
 * frame before `start` and shifts timestamps so `start` is 0; pictures shown
 * are those with 0 ≤ pts < duration. Packets outside that window that the
 * decoder still needs (the key frame and pictures before the start, a
 * reference past the end) ride along on the next shown packet as
 * `decodeFirst`, so every emitted frame is one delivered picture.
 *
 * Demand-driven: a packet is read only when a frame is requested.
 */
export class PacketFileReader implements Source {
  readonly live = false;
  readonly #reader: PacketReader;
  readonly #end: number;
  #demand = 0;
  #seq = 0;
  #observer: SourceObserver | undefined;
  #info: StreamInfo | undefined;
  #pulling = false;
  #stopped = false;
  #finished = false;

  constructor(private readonly opts: PacketFileReaderOptions) {
    this.#reader = openPacketReader({
      inputArgs: opts.inputArgs,
      ...(opts.codec ? { codec: opts.codec } : {}),
      ...(opts.cpu ? { cpu: opts.cpu } : {}),
    });
    this.#end =
      opts.duration === undefined ? Number.POSITIVE_INFINITY : Math.round(opts.duration * 1e6);
  }

  async open(): Promise<StreamInfo> {
    const info = await this.#reader.open();
    this.#info = {
      width: info.width,
      height: info.height,
      format: 'yuv420p',
      fps: info.fps,
      frames: expectedFrames({
        ...this.opts.total,
        containerDuration: info.duration,
        fps: info.fps,
      }),
      emits: 'packets',
    };
    return this.#info;
  }

  start(observer: SourceObserver): void {
    this.#observer = observer;
    void this.#pull();
  }

  request(n: number): void {
    this.#demand += n;
    void this.#pull();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    void this.#reader.close();
    this.#finish();
  }

  async close(): Promise<void> {
    this.stop();
    await this.#reader.close();
  }

  dropped(): number {
    return 0;
  }

  #finish(error?: Error): void {
    if (this.#finished || !this.#observer) return;
    this.#finished = true;
    if (error && !this.#stopped) this.#observer.error(error);
    else this.#observer.complete();
  }

  async #pull(): Promise<void> {
    if (this.#pulling || !this.#observer) return;
    this.#pulling = true;
    try {
      while (!this.#stopped && !this.#finished && this.#demand > 0) {
        const packet = await this.#nextShown();
        if (this.#stopped) break;
        if (!packet) {
          await this.#reader.close();
          this.#finish();
          break;
        }
        this.#demand--;
        this.#observer.next(this.#frame(packet));
      }
    } catch (err) {
      this.#finish(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.#pulling = false;
    }
    if (this.#stopped) this.#finish();
  }

  /** The next packet whose picture is inside the cut, carrying the hidden ones before it. */
  async #nextShown(): Promise<Packet | null> {
    const hidden: Packet[] = [];
    for (;;) {
      const packet = await this.#reader.next();
      // Decode order: once dts reaches the end, no later packet shows or is referenced
      // by a shown picture (those decode before their own pts, which is < end).
      if (!packet || packet.dts >= this.#end) return null;
      if (packet.pts >= 0 && packet.pts < this.#end)
        return hidden.length > 0 ? { ...packet, decodeFirst: hidden } : packet;
      hidden.push(packet);
    }
  }

  #frame(packet: Packet): Frame {
    const info = this.#info!;
    return {
      seq: this.#seq++,
      pts: packet.pts,
      time: this.opts.clock.wallNow(),
      width: info.width,
      height: info.height,
      format: 'yuv420p',
      data: new Uint8Array(0),
      sourceId: this.opts.sourceId,
      meta: { timings: {}, packet },
    };
  }
}
