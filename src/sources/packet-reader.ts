import type { CpuAccount } from '../core/cpu-ledger.ts';
import { FramewireError, redactUrl } from '../core/errors.ts';
import { type FfmpegExit, FfmpegProcess } from '../core/ffmpeg-process.ts';
import { parseDuration } from '../core/ffmpeg.ts';
import type { Packet } from '../core/frame.ts';
import { PacketTimes } from './packet-times.ts';
import { avcCodecString, forEachNal, NalType, parseSps } from '../codec/h264.ts';
import { HevcNalType, hevcNalType, isHevcKeyNal, parseHevcSps } from '../codec/hevc.ts';

/** The codecs whose packets can be copied out for the in-process decoder. */
export type PacketCodec = 'h264' | 'hevc';

export interface PacketReaderOptions {
  /** Everything before the output options, including `-i INPUT`, e.g. `['-re', '-i', 'in.mp4']`. */
  readonly inputArgs: readonly string[];
  /** The component's CPU account: its ffmpeg process is charged to it. */
  readonly cpu?: CpuAccount;
  /** The stream's codec (ffmpeg's name); `h264` unless told. Another codec fails `open()` with a message saying which it is. */
  readonly codec?: PacketCodec;
}

/** What the reader learned from ffmpeg's stream dump and the first sequence parameter set. */
export interface PacketStreamInfo {
  /** WebCodecs codec string from the SPS, e.g. `avc1.64000d` or `hev1.1.6.L93.B0`. */
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  /** Nominal frames per second (timestamps come from the container, not from this); see `fpsFrom`. */
  readonly fps: number;
  /** Where `fps` came from: ffmpeg's stream dump, the SPS timing info, or a 25 fps guess. */
  readonly fpsFrom: 'container' | 'sps' | 'guess';
  /** The input's duration in seconds from ffmpeg's dump (`Duration:`), if it states one. */
  readonly duration: number | undefined;
  /** 1 = 4:2:0; other values decode to other layouts that the decode stage converts. */
  readonly chromaFormat: number;
  readonly bitDepth: number;
}

/**
 * Demand-driven H.264 access units from an ffmpeg process. ffmpeg reads only as
 * fast as `next()` is called: unread output fills the pipe and blocks it.
 */
export interface PacketReader extends AsyncIterable<Packet> {
  /** Starts reading and waits for the first key frame; rejects with `SOURCE_OPEN` if unusable. */
  open(): Promise<PacketStreamInfo>;
  /** The next access unit in decode order, or null at the end of the stream. Do not call concurrently. */
  next(): Promise<Packet | null>;
  /** Bytes taken from ffmpeg so far (shows backpressure working). */
  readonly bytesRead: number;
  /** Kills ffmpeg. Idempotent. */
  close(): Promise<void>;
}

/**
 * Two outputs of the same copied stream. pipe:1: Annex B with an access-unit
 * delimiter before every access unit, so AUs split on it. Annex B carries no
 * timestamps, so pipe:3 lists every packet's dts and pts in the stream's own
 * time base (`framecrc`: one text line per packet, same order, no pixel work).
 * `-flush_packets 1` writes each line at once rather than when 32 KiB collect.
 */
function outputArgs(codec: PacketCodec): string[] {
  const bsf =
    codec === 'hevc'
      ? 'hevc_mp4toannexb,hevc_metadata=aud=insert'
      : 'h264_mp4toannexb,h264_metadata=aud=insert';
  return [
    ...['-map', '0:v:0', '-c:v', 'copy', '-bsf:v', bsf, '-f', codec, 'pipe:1'],
    ...['-map', '0:v:0', '-c:v', 'copy', '-flush_packets', '1', '-f', 'framecrc', 'pipe:3'],
  ];
}
/**
 * A start code followed by an AUD header: `00 00 01 09` for H.264 (nal_ref_idc
 * is 0 for AUDs), `00 00 01 46` for HEVC (type 35, layer 0; the second header byte follows).
 */
const AUD: Record<PacketCodec, Buffer> = {
  h264: Buffer.from([0, 0, 1, NalType.aud]),
  hevc: Buffer.from([0, 0, 1, HevcNalType.aud << 1]),
};

/** The parameters of the stream the reader needs, from the first SPS. */
interface StreamParams {
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly chromaFormat: number;
  readonly bitDepth: number;
  readonly fps: number | undefined;
}

const STDERR_TAIL = 20;

export function openPacketReader(opts: PacketReaderOptions): PacketReader {
  return new FfmpegPacketReader(opts);
}

class FfmpegPacketReader implements PacketReader {
  readonly #label: string;
  readonly #proc: FfmpegProcess;
  readonly #chunks: AsyncIterator<Buffer>;
  readonly #exited: Promise<FfmpegExit>;
  /** Resolves when ffmpeg has printed its stream dump (or stderr closed). */
  readonly #headerDone: Promise<void>;
  readonly #stderr: string[] = [];
  readonly #times: PacketTimes;
  readonly #codecName: PacketCodec;
  readonly #aud: Buffer;
  #videoCodec: string | undefined;
  #containerFps: number | undefined;
  #duration: number | undefined;
  #buf: Buffer = Buffer.alloc(0);
  /** Where the current AU's delimiter starts in `#buf`, once found. */
  #auStart = -1;
  #scanFrom = 0;
  #bytesRead = 0;
  #sps: StreamParams | undefined;
  #codec = '';
  #fps = 25;
  #count = 0;
  #first: Packet | undefined;
  #info: Promise<PacketStreamInfo> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #eof = false;
  #closed = false;

  constructor(opts: PacketReaderOptions) {
    this.#codecName = opts.codec ?? 'h264';
    this.#aud = AUD[this.#codecName];
    const i = opts.inputArgs.lastIndexOf('-i');
    this.#label = redactUrl(opts.inputArgs[i + 1] ?? 'the input');
    let headerDone = () => {};
    this.#headerDone = new Promise((resolve) => {
      headerDone = resolve;
    });
    this.#proc = new FfmpegProcess({
      args: ['-nostats', ...opts.inputArgs, ...outputArgs(this.#codecName)],
      stdout: true,
      sidePipe: true,
      errorCode: 'SOURCE_READ',
      task: `reading ${this.#label}`,
      ...(opts.cpu ? { cpu: opts.cpu } : {}),
      onStderrLine: (line) => {
        this.#onStderr(line);
        if (line.startsWith('Stream mapping:')) headerDone();
      },
    });
    this.#times = new PacketTimes(this.#proc.side);
    this.#exited = this.#proc.exited;
    void this.#exited.then(() => headerDone());
    // Async iteration pulls from the pipe only on demand: that is the backpressure.
    this.#chunks = (this.#proc.stdout as NodeJS.ReadableStream)[
      Symbol.asyncIterator
    ]() as AsyncIterator<Buffer>;
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  open(): Promise<PacketStreamInfo> {
    return this.#serial(() => this.#ensureOpen());
  }

  next(): Promise<Packet | null> {
    return this.#serial(async () => {
      if (this.#closed) return null;
      await this.#ensureOpen();
      const first = this.#first;
      if (first) {
        this.#first = undefined;
        return first;
      }
      return this.#read();
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Packet> {
    for (let p = await this.next(); p; p = await this.next()) yield p;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Nothing to finalize: the output is a pipe we stop reading, so SIGKILL is safe.
    this.#times.close();
    await this.#proc.stop();
  }

  /** Runs reads one at a time, so `open()` and `next()` never interleave on the buffer. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #ensureOpen(): Promise<PacketStreamInfo> {
    this.#info ??= this.#open();
    return this.#info;
  }

  async #open(): Promise<PacketStreamInfo> {
    const first = await this.#read();
    await this.#headerDone;
    const sps = this.#sps;
    if (!first || !sps) throw await this.#openError();
    this.#first = first;
    const fpsFrom = this.#containerFps ? 'container' : sps.fps ? 'sps' : 'guess';
    const { width, height, chromaFormat, bitDepth } = sps;
    const codec = this.#codec;
    const duration = this.#duration;
    return { codec, width, height, fps: this.#fps, fpsFrom, duration, chromaFormat, bitDepth };
  }

  /** Reads the next access unit; before the first key frame (live joins mid-GOP) AUs are skipped. */
  async #read(): Promise<Packet | null> {
    for (;;) {
      const au = (await this.#nextAu()) ?? null;
      if (!au) return null;
      // The side channel lists the same packets in the same order: one line per AU.
      const time = await this.#times.next();
      if (!time) throw this.#readError('its packet timestamps ended before its packets');
      const key = this.#inspect(au);
      if (this.#count === 0 && !(key && this.#sps)) continue;
      this.#count++;
      return { data: au, key, pts: time.pts, dts: time.dts, codec: this.#codec };
    }
  }

  /** Finds key-frame slices and (re)reads the SPS, which precedes every IDR after mp4toannexb. */
  #inspect(au: Uint8Array): boolean {
    let key = false;
    const hevc = this.#codecName === 'hevc';
    forEachNal(au, (h264Type, header, end) => {
      const type = hevc ? hevcNalType(au[header] ?? 0) : h264Type;
      if (hevc ? isHevcKeyNal(type) : type === NalType.idr) key = true;
      else if (type === (hevc ? HevcNalType.sps : NalType.sps)) {
        try {
          const nal = au.subarray(header, end);
          this.#useSps(hevc ? { ...parseHevcSps(nal), fps: undefined } : h264Params(parseSps(nal)));
        } catch {
          // A damaged SPS: keep the last good one; the decoder will report the AU.
        }
      }
    });
    return key;
  }

  #useSps(sps: StreamParams): void {
    if (!this.#sps) this.#fps = this.#containerFps ?? sps.fps ?? 25;
    this.#sps = sps;
    this.#codec = sps.codec;
  }

  /** The bytes from one access-unit delimiter to the next; the last AU ends at end of stream. */
  async #nextAu(): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#auStart < 0) {
        const at = this.#buf.indexOf(this.#aud, this.#scanFrom);
        if (at >= 0) {
          this.#auStart = at;
          this.#scanFrom = at + this.#aud.length;
        }
      }
      if (this.#auStart >= 0) {
        let end = this.#buf.indexOf(this.#aud, this.#scanFrom);
        if (end >= 0) {
          if (end > 0 && this.#buf[end - 1] === 0) end--; // a 4-byte start code belongs to the next AU
          const au = Uint8Array.prototype.slice.call(this.#buf, this.#auStart, end);
          this.#buf = this.#buf.subarray(end);
          this.#auStart = -1;
          this.#scanFrom = 0;
          return au;
        }
      }
      // The pattern may straddle the chunk boundary: rescan the last 3 bytes.
      this.#scanFrom = Math.max(this.#scanFrom, this.#buf.length - (this.#aud.length - 1));
      const chunk = this.#eof || this.#closed ? undefined : await this.#pull();
      if (!chunk) {
        this.#eof = true;
        const rest = this.#auStart >= 0 ? this.#buf.subarray(this.#auStart) : undefined;
        this.#buf = Buffer.alloc(0);
        this.#auStart = -1;
        return rest && rest.length > this.#aud.length
          ? Uint8Array.prototype.slice.call(rest)
          : undefined;
      }
      this.#bytesRead += chunk.length;
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    }
  }

  async #pull(): Promise<Buffer | undefined> {
    let r: IteratorResult<Buffer>;
    try {
      r = await this.#chunks.next();
    } catch {
      r = { done: true, value: undefined };
    }
    if (!r.done) return r.value;
    const exit = await this.#exited;
    if (this.#closed) return undefined;
    // Packets already flowed, so the input was fine: this is a read failure mid-stream.
    const failure = this.#count > 0 ? this.#proc.errorFor(exit) : undefined;
    if (failure) throw failure;
    return undefined;
  }

  #readError(why: string, cause?: Error): FramewireError {
    return new FramewireError('SOURCE_READ', `ffmpeg stopped reading ${this.#label}: ${why}`, {
      cause,
    });
  }

  #onStderr(line: string): void {
    this.#stderr.push(line);
    if (!this.#videoCodec) this.#duration ??= parseDuration(line);
    if (this.#stderr.length > 200) this.#stderr.splice(50, this.#stderr.length - 50 - STDERR_TAIL);
    // The first video stream line is the input's (the dump lists inputs before outputs).
    const stream = !this.#videoCodec && /Stream #\d+:\d+.*?: Video: (\w+)/.exec(line);
    if (stream) {
      this.#videoCodec = stream[1];
      const rate = /, ([\d.]+) fps/.exec(line) ?? /, ([\d.]+) tbr/.exec(line);
      const fps = rate ? Number(rate[1]) : Number.NaN;
      if (fps > 0 && fps < 1000) this.#containerFps = fps;
    }
  }

  #lastError(): string {
    const lines = this.#stderr.filter((l) => !/^\s|^(Input|Output) #|^Stream mapping/.test(l));
    return redactUrl(lines.at(-1) ?? 'no output');
  }

  async #openError(): Promise<FramewireError> {
    const exit = await this.#exited;
    const { code, spawnError } = exit;
    const text = this.#stderr.join('\n');
    const label = this.#label;
    const fail = (message: string, hint: string) =>
      new FramewireError('SOURCE_OPEN', message, { hint, cause: spawnError });
    if (spawnError) {
      const e = this.#proc.errorFor(exit)!;
      return fail(e.message, e.hint ?? '');
    }
    if (/No such file or directory/.test(text))
      return fail(
        `${label}: no such file`,
        'Relative paths resolve against the working directory.',
      );
    if (/Invalid data found|moov atom not found|could not find codec parameters/i.test(text))
      return fail(
        `${label} is not a readable video (${this.#lastError()})`,
        'Check that the file is a complete video (MP4, MKV, MOV, TS); a truncated MP4 loses its index.',
      );
    if (/matches no streams/.test(text) || (code === 0 && !this.#videoCodec))
      return fail(`${label} has no video stream`, 'Point the source at a file with a video track.');
    if (this.#videoCodec && this.#videoCodec !== this.#codecName)
      return fail(
        this.#codecName === 'h264'
          ? `${label} is ${this.#videoCodec} video; compressed-packet output supports H.264 only for now`
          : `${label} is ${this.#videoCodec} video, not ${this.#codecName}`,
        'Use decoded output (ffmpeg decodes any codec), or re-encode the input to H.264.',
      );
    if (code === 0)
      return fail(
        `${label} contains no ${this.#codecName === 'hevc' ? 'HEVC' : 'H.264'} key frame`,
        'Check that the video is not empty.',
      );
    return fail(
      `ffmpeg could not read ${label}: ${this.#lastError()}`,
      'Run ffmpeg -i on the input to see why.',
    );
  }
}

function h264Params(sps: ReturnType<typeof parseSps>): StreamParams {
  const { width, height, chromaFormat, bitDepth, fps } = sps;
  return { codec: avcCodecString(sps), width, height, chromaFormat, bitDepth, fps };
}
