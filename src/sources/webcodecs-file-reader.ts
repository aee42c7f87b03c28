import { Observable, type Subscriber, type Subscription } from 'rxjs';
import type { Clock } from '../core/clock.ts';
import type { ComponentContext, Source, SourceObserver, StreamInfo } from '../core/component.ts';
import { ffmpegPath } from '../core/ffmpeg.ts';
import type { Frame } from '../core/frame.ts';
import { type DecodeConfig, decodeOperator, holdsBack } from '../stages/decode.ts';
import { openPacketReader, type PacketReader } from './packet-reader.ts';

const DECODER: DecodeConfig = {
  hardware: 'no-preference',
  optimizeForLatency: true,
  worker: false,
  queue: 8,
};

/**
 * Reads a file's H.264 stream without re-encoding (ffmpeg only remuxes) and
 * decodes it in-process with WebCodecs: no raw video crosses a pipe, which is
 * what makes `file` nearly as fast as ffmpeg decoding on its own.
 *
 * Demand-driven like every file source: packets are pulled only while someone
 * wants a frame that is not decoded yet, and never more than the decoder may
 * hold back (reordering, frame threads) plus that demand.
 */
export class WebcodecsFileReader implements Source {
  readonly live = false;
  readonly #reader: PacketReader;
  readonly #ready: Frame[] = [];
  readonly #lookahead: number;
  #demand = 0;
  #seq = 0;
  #pushed = 0;
  /** Pictures out of the decoder, or given up on as corrupt. */
  #settled = 0;
  #observer: SourceObserver | undefined;
  #packets: Subscriber<Frame> | undefined;
  #decoded: Subscription | undefined;
  #pulling = false;
  #readerDone = false;
  #decoderDone = false;
  #stopped = false;
  #finished = false;
  #failure: Error | undefined;
  #info: StreamInfo | undefined;

  constructor(
    inputArgs: readonly string[],
    private readonly ctx: ComponentContext,
    private readonly sourceId: string,
    private readonly clock: Clock = ctx.clock,
  ) {
    this.#reader = openPacketReader({ ffmpegPath, inputArgs });
    this.#lookahead = holdsBack(DECODER);
  }

  async open(): Promise<StreamInfo> {
    const info = await this.#reader.open();
    this.#info = {
      width: info.width,
      height: info.height,
      format: 'yuv420p',
      fps: info.fps,
      frames: undefined,
    };
    return this.#info;
  }

  start(observer: SourceObserver): void {
    this.#observer = observer;
    const packets$ = new Observable<Frame>((sub) => {
      this.#packets = sub;
    });
    // Lost pictures settle their packet too, or lookahead would shrink forever.
    const ctx: ComponentContext = {
      ...this.ctx,
      count: (event, n = 1) => {
        if (event === 'FRAME_CORRUPT') this.#settled += n;
        this.ctx.count(event, n);
      },
    };
    this.#decoded = packets$.pipe(decodeOperator(DECODER, ctx)).subscribe({
      next: (frame) => {
        this.#settled++;
        this.#ready.push(frame);
        this.#flush();
      },
      error: (err: Error) => {
        this.#failure = err;
        this.#decoderDone = true;
        this.#flush();
      },
      complete: () => {
        this.#decoderDone = true;
        this.#flush();
      },
    });
    this.#flush();
  }

  request(n: number): void {
    this.#demand += n;
    this.#flush();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    void this.#reader.close();
    for (const frame of this.#ready.splice(0)) this.ctx.pool.release(frame.data);
    this.#flush();
  }

  async close(): Promise<void> {
    this.stop();
    this.#decoded?.unsubscribe();
    await this.#reader.close();
  }

  dropped(): number {
    return 0;
  }

  #flush(): void {
    if (!this.#observer || this.#finished) return;
    while (this.#demand > 0 && this.#ready.length > 0) {
      this.#demand--;
      this.#observer.next(this.#ready.shift()!);
    }
    if (this.#stopped || (this.#decoderDone && this.#ready.length === 0)) {
      this.#finished = true;
      if (this.#failure && !this.#stopped) this.#observer.error(this.#failure);
      else this.#observer.complete();
      return;
    }
    void this.#pull();
  }

  async #pull(): Promise<void> {
    if (this.#pulling) return;
    this.#pulling = true;
    try {
      while (
        !this.#stopped &&
        !this.#readerDone &&
        this.#ready.length < this.#demand &&
        this.#pushed - this.#settled < this.#lookahead + this.#demand
      ) {
        const packet = await this.#reader.next();
        if (this.#stopped) return;
        if (!packet) {
          this.#readerDone = true;
          this.#packets?.complete();
          return;
        }
        this.#pushed++;
        const info = this.#info!;
        this.#packets?.next({
          seq: this.#seq++,
          pts: packet.pts,
          time: this.clock.wallNow(),
          width: info.width,
          height: info.height,
          format: 'yuv420p',
          data: new Uint8Array(0),
          sourceId: this.sourceId,
          meta: { timings: {}, packet },
        });
      }
    } catch (err) {
      this.#failure = err instanceof Error ? err : new Error(String(err));
      this.#readerDone = true;
      this.#packets?.error(this.#failure);
    } finally {
      this.#pulling = false;
    }
  }
}
