import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One packet's timestamps in microseconds, on ffmpeg's output timeline. */
export interface PacketTime {
  readonly pts: number;
  readonly dts: number;
}

/** What ffmpeg's framecrc muxer prints for a missing timestamp (AV_NOPTS_VALUE). */
const NO_TIMESTAMP = -9e18;

/**
 * Reads the timestamps ffmpeg's `framecrc` muxer lists, one text line per packet
 * (`0, dts, pts, duration, size, crc`) after a `#tb 0: num/den` header, from a
 * side-channel pipe. The readers run it beside their data output so timestamps
 * come from the stream itself, in its own time base, never from a frame count.
 *
 * Lines are small and read as they come; ffmpeg writes the line of packet k
 * right after packet k's data, so the data pipe's backpressure bounds them too.
 */
export class PacketTimes {
  readonly #queue: PacketTime[] = [];
  #waiter: ((time: PacketTime | null) => void) | undefined;
  #num = 0;
  #den = 0;
  #ended = false;
  readonly #lines: ReturnType<typeof createInterface>;

  /** `onTime` is told whenever a timestamp arrives, for readers that pair it with data themselves. */
  constructor(
    private readonly input: Readable,
    private readonly onTime?: () => void,
  ) {
    this.#lines = createInterface({ input });
    this.#lines.on('line', (line) => this.#onLine(line));
    this.#lines.once('close', () => {
      this.#ended = true;
      this.#waiter?.(null);
      this.#waiter = undefined;
      this.onTime?.();
    });
    // A killed ffmpeg closes the pipe abruptly: that is an end, not a crash.
    input.on('error', () => this.close());
  }

  /** The next packet's timestamps, or null once ffmpeg closed the pipe. Do not call concurrently. */
  next(): Promise<PacketTime | null> {
    const time = this.#queue.shift();
    if (time) return Promise.resolve(time);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** The next timestamp if it has arrived, without waiting. */
  take(): PacketTime | undefined {
    return this.#queue.shift();
  }

  /** True once ffmpeg closed the pipe and every timestamp was taken. */
  get done(): boolean {
    return this.#ended && this.#queue.length === 0;
  }

  /** Stops reading. The pipe is destroyed, not just paused: a paused pipe never closes, and ffmpeg's exit waits for it. */
  close(): void {
    this.#lines.close();
    this.input.destroy();
  }

  #onLine(line: string): void {
    const tb = /^#tb 0: (\d+)\/(\d+)/.exec(line);
    if (tb) {
      this.#num = Number(tb[1]);
      this.#den = Number(tb[2]);
      return;
    }
    if (line.startsWith('#') || this.#den === 0) return;
    const fields = line.split(',');
    if (fields.length < 5) return;
    const dts = Number(fields[1]);
    const rawPts = Number(fields[2]);
    // A packet without pts (some AVI/raw streams) is shown at its decode time.
    const pts = rawPts > NO_TIMESTAMP ? rawPts : dts;
    const time = { pts: this.#micros(pts), dts: this.#micros(dts > NO_TIMESTAMP ? dts : pts) };
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(time);
    } else this.#queue.push(time);
    this.onTime?.();
  }

  /** Multiplies before dividing, so time bases such as 1/12800 convert exactly. */
  #micros(ts: number): number {
    return Math.round((ts * 1_000_000 * this.#num) / this.#den);
  }
}
