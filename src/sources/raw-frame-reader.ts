import type { CpuAccount } from '../core/cpu-ledger.ts';
import type { Clock } from '../core/clock.ts';
import type { Source, SourceObserver, StreamInfo } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';
import { parseDuration, parseVideoStreamLine } from '../core/ffmpeg.ts';
import { FfmpegProcess } from '../core/ffmpeg-process.ts';
import { type Frame, frameByteLength, type PixelFormat } from '../core/frame.ts';
import type { FramePool } from '../core/frame-pool.ts';
import { PacketTimes } from './packet-times.ts';

export interface RawFrameReaderOptions {
  /** ffmpeg arguments up to and including the input (`-re -i file.mp4`). */
  readonly inputArgs: readonly string[];
  /** Video filters applied before the frames are delivered (`scale=320:-2`, `trim=end=3`). */
  readonly filters?: readonly string[];
  readonly format: PixelFormat;
  readonly sourceId: string;
  readonly pool: FramePool;
  readonly clock: Clock;
  /** Describes the input in errors ("video file in.mp4"); never contains credentials. */
  readonly describe: string;
  /** The component's CPU account: its ffmpeg process is charged to it. */
  readonly cpu?: CpuAccount;
  /** Known frame count cap (duration × fps), for progress. */
  readonly frameLimit?: number;
  /** Computes the frame total from what ffmpeg says about the input (overrides duration × fps). */
  readonly frameTotal?: (input: {
    duration: number | undefined;
    fps: number | undefined;
  }) => number | undefined;
}

const PIX_FMT: Record<PixelFormat, string> = { yuv420p: 'yuv420p', rgb24: 'rgb24', rgba: 'rgba' };

/**
 * Decodes anything ffmpeg reads into raw frames on a pipe and emits them against
 * demand. While there is no demand it stops reading, so the pipe fills and
 * ffmpeg blocks: the decoder is paused by ordinary stream backpressure and
 * memory does not depend on the input's length.
 *
 * Raw video carries no timestamps, so the filtered stream is split in two:
 * pixels go to pipe:1, and the other branch is "encoded" as wrapped_avframe
 * (a reference to the frame, no pixel copy) into ffmpeg's framecrc muxer on
 * pipe:3, which prints each frame's pts in the filter's own time base
 * (`-enc_time_base -1`). `-vsync 0` passes frames through as decoded (no
 * duplicates or drops to a nominal rate), so the k-th line is the k-th frame's
 * timestamp, exact for variable-rate files.
 */
export class RawFrameReader implements Source {
  readonly live = false;
  #proc: FfmpegProcess | undefined;
  #info: StreamInfo | undefined;
  #frameBytes = 0;
  #current: Uint8Array | undefined;
  #filled = 0;
  readonly #ready: Frame[] = [];
  #demand = 0;
  #seq = 0;
  /** Complete pixel buffers whose timestamp line has not arrived yet. */
  readonly #untimed: Uint8Array[] = [];
  #times: PacketTimes | undefined;
  #observer: SourceObserver | undefined;
  #stopping = false;
  #exited = false;
  #exitError: Error | undefined;
  #finished = false;
  #emitting = false;

  constructor(private readonly opts: RawFrameReaderOptions) {}

  open(): Promise<StreamInfo> {
    const graph = `[0:v:0]${[...(this.opts.filters ?? []), 'split'].join(',')}[frames][times]`;
    const args = [
      ...this.opts.inputArgs,
      ...['-filter_complex', graph, '-vsync', '0'],
      ...['-map', '[frames]', '-f', 'rawvideo', '-pix_fmt', PIX_FMT[this.opts.format], 'pipe:1'],
      ...['-map', '[times]', '-c:v', 'wrapped_avframe', '-enc_time_base', '-1'],
      ...['-flush_packets', '1', '-f', 'framecrc', 'pipe:3'],
    ];
    return new Promise<StreamInfo>((resolve, reject) => {
      let inOutput = false;
      let duration: number | undefined;
      let inputFps: number | undefined;
      // ffmpeg describes its output stream before any data flows: that is the probe.
      // Lines come in order, so a stream line is the input's until `Output #0`.
      const onStderrLine = (line: string) => {
        if (this.#info) return;
        duration ??= parseDuration(line);
        if (line.startsWith('Output #0')) inOutput = true;
        const stream = parseVideoStreamLine(line);
        if (!stream) return;
        if (!inOutput) {
          inputFps ??= stream.fps;
          return;
        }
        this.#frameBytes = frameByteLength(this.opts.format, stream.width, stream.height);
        const fromDuration =
          duration !== undefined && stream.fps ? Math.round(duration * stream.fps) : undefined;
        const total = this.opts.frameTotal
          ? this.opts.frameTotal({ duration, fps: inputFps })
          : fromDuration;
        this.#info = {
          width: stream.width,
          height: stream.height,
          format: this.opts.format,
          fps: stream.fps,
          frames: this.opts.frameLimit ?? total,
          emits: 'frames',
        };
        this.#pump();
        resolve(this.#info);
      };
      const proc = new FfmpegProcess({
        args,
        stdout: true,
        sidePipe: true,
        errorCode: 'SOURCE_READ',
        task: `reading ${this.opts.describe}`,
        onStderrLine,
        ...(this.opts.cpu ? { cpu: this.opts.cpu } : {}),
      });
      this.#proc = proc;
      this.#times = new PacketTimes(proc.side, () => this.#pair());
      // Splitting the pipe into frames (copies into pooled buffers) is this source's work.
      const onData = (chunk: Buffer) => this.#onData(chunk);
      proc.stdout.on('data', this.opts.cpu ? this.opts.cpu.bind(onData) : onData);
      proc.stdout.pause();
      void proc.exited.then((exit) => {
        this.#exited = true;
        if (!this.#info) {
          reject(this.#openError(proc, exit.spawnError));
          return;
        }
        // A signal is ours (stop()); anything else non-zero is a read failure.
        if (!this.#stopping && exit.signal === null) this.#exitError = proc.errorFor(exit);
        this.#pair(false);
        if (this.#untimed.length > 0 && !this.#stopping) {
          this.#exitError ??= new FramewireError(
            'SOURCE_READ',
            `reading ${this.opts.describe}: ${this.#untimed.length} frame(s) came without a timestamp`,
          );
        }
        for (const data of this.#untimed.splice(0)) this.opts.pool.release(data);
        this.#flush();
      });
    });
  }

  start(observer: SourceObserver): void {
    this.#observer = observer;
    this.#flush();
  }

  request(n: number): void {
    this.#demand += n;
    this.#flush();
  }

  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#proc?.kill();
    for (const frame of this.#ready.splice(0)) this.opts.pool.release(frame.data);
    this.#flush();
  }

  async close(): Promise<void> {
    this.stop();
    if (this.#current) {
      this.opts.pool.release(this.#current);
      this.#current = undefined;
    }
    for (const data of this.#untimed.splice(0)) this.opts.pool.release(data);
    this.#times?.close();
    // stop() also destroys the paused stdout: buffered output would keep 'close' from ever coming.
    await this.#proc?.stop();
  }

  dropped(): number {
    return 0;
  }

  #openError(proc: FfmpegProcess, spawnError: Error | undefined): FramewireError {
    if (spawnError) {
      const e = proc.errorFor({ code: null, signal: null, spawnError })!;
      return new FramewireError('SOURCE_OPEN', e.message, e.hint ? { hint: e.hint } : {});
    }
    const detail = proc.stderrTail();
    const missing = /No such file or directory/i.test(detail);
    return new FramewireError(
      'SOURCE_OPEN',
      `cannot read ${this.opts.describe}: ${detail || 'ffmpeg found no video stream'}`,
      {
        hint: missing
          ? 'check the path (relative paths are resolved against the current directory)'
          : 'check that the input is a video ffmpeg can decode, e.g. by playing it',
      },
    );
  }

  #onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.#current) {
        this.#current = this.opts.pool.acquire(this.#frameBytes);
        this.#filled = 0;
      }
      const n = Math.min(this.#frameBytes - this.#filled, chunk.length - offset);
      this.#current.set(chunk.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === this.#frameBytes) {
        this.#untimed.push(this.#current);
        this.#current = undefined;
        this.#pair(false);
        // Without demand for more, hand the rest back to the stream: at most one
        // decoded frame waits here, however small frames are.
        if (this.#ready.length + this.#untimed.length >= this.#demand && offset < chunk.length) {
          this.#proc!.stdout.pause();
          this.#proc!.stdout.unshift(chunk.subarray(offset));
          break;
        }
      }
    }
    this.#flush();
  }

  /** Gives complete buffers their timestamps, in order; `flush` emits what became ready. */
  #pair(flush = true): void {
    let paired = false;
    while (this.#untimed.length > 0) {
      const time = this.#times?.take();
      if (!time) break;
      this.#ready.push(this.#makeFrame(this.#untimed.shift()!, time.pts));
      paired = true;
    }
    if (paired && flush) this.#flush();
  }

  #makeFrame(data: Uint8Array, pts: number): Frame {
    const info = this.#info!;
    const seq = this.#seq++;
    return {
      seq,
      pts,
      time: this.opts.clock.wallNow(),
      width: info.width,
      height: info.height,
      format: this.opts.format,
      data,
      sourceId: this.opts.sourceId,
      meta: { timings: {} },
    };
  }

  /** Emits ready frames against demand, then decides whether ffmpeg may write more. */
  #flush(): void {
    if (this.#emitting || !this.#observer || this.#finished) return;
    this.#emitting = true;
    try {
      while (this.#demand > 0 && this.#ready.length > 0) {
        this.#demand--;
        this.#observer.next(this.#ready.shift()!);
      }
    } finally {
      this.#emitting = false;
    }
    if (
      this.#stopping ||
      (this.#exited && this.#ready.length === 0 && this.#untimed.length === 0)
    ) {
      this.#finished = true;
      if (this.#exitError) this.#observer.error(this.#exitError);
      else this.#observer.complete();
      return;
    }
    this.#pump();
  }

  #pump(): void {
    if (!this.#proc || !this.#info || !this.#proc.running) return;
    const stdout = this.#proc.stdout;
    // A buffer still waiting for its timestamp counts as held: at most one waits.
    if (this.#ready.length + this.#untimed.length === 0 && this.#demand > 0) stdout.resume();
    else stdout.pause();
  }
}
