import { decoderConfigOf } from '../codec/avc.ts';
import type { ComponentContext } from '../core/component.ts';
import type { AvcDecoderConfig, EncodedVideo } from '../core/encoded.ts';
import { FramewireError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { FrameScaler } from '../core/frame-scaler.ts';

/** One access unit out of an encoder, in Annex B with SPS/PPS in band on key frames. */
export interface EncodedUnit {
  readonly data: Uint8Array;
  readonly key: boolean;
  /** The input timestamp echoed back (WebCodecs does); absent when the encoder cannot tell. */
  readonly timestamp?: number;
}

export interface EncoderCallbacks {
  output(unit: EncodedUnit): void;
  error(error: Error): void;
}

/** What a backend learns once, from the first frame: the stream format is fixed after that. */
export interface EncodeFormat {
  readonly width: number;
  readonly height: number;
  /** Nominal frames per second, for rate control and key-frame spacing by count. */
  readonly fps: number;
}

/**
 * An H.264 encoder that emits exactly one access unit per picture, in input
 * order (no B-frames). Real ones wrap node-webcodecs or an ffmpeg process;
 * tests substitute fakes.
 */
export interface EncoderBackend {
  /** Takes one yuv420p picture; resolves when the backend can take the next (its own backpressure). */
  encode(frame: Frame, keyFrame: boolean): Promise<void> | void;
  /** Resolves once every picture given so far has produced its output (or is known lost). */
  flush(): Promise<void>;
  /** Frees the encoder. Idempotent; safe after a failure. */
  close(): void;
}

export type EncoderFactory = (
  format: EncodeFormat,
  cb: EncoderCallbacks,
) => Promise<EncoderBackend>;

export interface EncodeSessionOptions {
  /** Pictures given to the encoder without output yet before `push` waits. */
  readonly queue: number;
  /** Microseconds of pts between forced key frames. */
  readonly keyframeInterval: number;
  /** Used when the source does not know its frame rate. */
  readonly fallbackFps: number;
  /**
   * A frame of another size than the stream's: `scale` it to the stream's size
   * (one stream throughout), or `restart` the encoder at the new size (a new
   * stream: a key frame with new parameter sets; the file sink goes on in a
   * numbered next file). Default `scale`.
   */
  readonly sizeChange?: 'scale' | 'restart';
}

/** Rounding of µs timestamps must not push a key frame one picture late. */
const KEY_SLACK_US = 500;

/**
 * Feeds frames to one encoder and emits each, in input order, with
 * `meta.encoded` attached once its access unit is out. Pixels are not touched.
 *
 * One H.264 stream (one MP4 track, one RTSP session) has one picture size, so
 * the first frame fixes it. A live source that comes back after a reconnect at
 * another size is scaled back to it, letterboxed (aspect kept, black bars),
 * for the encoder only: the output stays one playable stream and the frame's
 * own pixels pass on as they are. Each change is logged once and counted as
 * SIZE_CHANGE. With `sizeChange: restart` the encoder is drained and a new one
 * starts at the new size instead. A discontinuity also starts a new GOP where
 * the encoder allows it (webcodecs; ffmpeg places key frames by count).
 */
export class EncodeSession {
  /** Frames given to the encoder, oldest first, waiting for their access unit. */
  readonly #waiting: Frame[] = [];
  #backend: EncoderBackend | undefined;
  #format: EncodeFormat | undefined;
  #lastKeyPts: number | undefined;
  #config: AvcDecoderConfig | undefined;
  /** Made at the first size change; keeps one plan per input size. */
  #scaler: FrameScaler | undefined;
  /** The size of the previous frame, to log and count each change once. */
  #lastSize: string | undefined;
  /** Bumped when the backend is replaced: late callbacks of an old one are ignored. */
  #generation = 0;
  #fatal: Error | undefined;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(
    readonly ctx: ComponentContext,
    readonly opts: EncodeSessionOptions,
    readonly factory: EncoderFactory,
    readonly emit: (frame: Frame) => void,
    readonly fail: (error: Error) => void,
  ) {}

  /** Hands one frame over; resolves when the encoder can take the next. */
  async push(frame: Frame): Promise<void> {
    this.#check();
    if (this.opts.sizeChange === 'restart' && this.#format && !fitsFormat(frame, this.#format))
      await this.#restart(frame);
    const format = this.#formatOf(frame);
    if (!this.#backend) {
      const generation = this.#generation;
      const current = () => generation === this.#generation;
      this.#backend = await this.factory(format, {
        output: (u) => {
          if (current()) this.#onOutput(u);
        },
        error: (e) => {
          if (current()) this.#setFatal(e, 'encoding');
        },
      });
    }
    while (this.#waiting.length >= this.opts.queue) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#check();
    }
    const key =
      this.#lastKeyPts === undefined ||
      frame.meta.discontinuity === true ||
      frame.pts - this.#lastKeyPts >= this.opts.keyframeInterval - KEY_SLACK_US;
    if (key) this.#lastKeyPts = frame.pts;
    const picture = this.opts.sizeChange === 'restart' ? frame : this.#fit(frame, format);
    this.#waiting.push(frame);
    try {
      await this.#backend.encode(picture, key);
    } finally {
      // The backend has taken (copied or written) the scaled pixels by now.
      if (picture !== frame) this.ctx.pool.release(picture.data);
    }
    this.#check();
  }

  /**
   * `sizeChange: restart`: every frame so far gets its access unit, then the
   * encoder closes; the next push configures a new one at this frame's size,
   * starting with a key frame that carries the new parameter sets.
   */
  async #restart(frame: Frame): Promise<void> {
    const was = `${this.#format!.width}x${this.#format!.height}`;
    this.ctx.count('SIZE_CHANGE');
    this.ctx.log.warn(
      `${this.ctx.name}: frame ${frame.seq} is ${frame.width}x${frame.height} but the stream started at ${was}: ` +
        `starting a new stream at ${frame.width}x${frame.height} (a file sink goes on in a numbered next file)`,
    );
    await this.#drain();
    this.#backend?.close();
    this.#backend = undefined;
    this.#generation++;
    this.#format = undefined;
    this.#lastKeyPts = undefined;
    this.#config = undefined;
  }

  /** The frame itself at the stream's size; else a copy with its pixels scaled to it. */
  #fit(frame: Frame, format: EncodeFormat): Frame {
    const size = `${frame.width}x${frame.height}`;
    const fits = fitsFormat(frame, format);
    if (size !== this.#lastSize && this.#lastSize !== undefined) {
      const stream = `${format.width}x${format.height}`;
      if (fits) this.ctx.log.info(`${this.ctx.name}: frame ${frame.seq} is back at ${stream}`);
      else {
        this.ctx.count('SIZE_CHANGE');
        this.ctx.log.warn(
          `${this.ctx.name}: frame ${frame.seq} is ${size} but the stream started at ${stream}: ` +
            `encoding it scaled to ${stream} (letterboxed), so the output stays one playable stream`,
        );
      }
    }
    this.#lastSize = size;
    if (fits) return frame;
    this.#scaler ??= new FrameScaler(format.width, format.height, 'letterbox', this.ctx.pool);
    const { data } = this.#scaler.scale(frame);
    return { ...frame, data, width: format.width, height: format.height };
  }

  /** End of stream: drains the encoder; frames that got no access unit pass on without one. */
  async flush(): Promise<void> {
    this.#check();
    await this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#backend) {
      await this.#backend.flush();
      await this.#settle();
    }
    this.#check();
    this.#skip(this.#waiting.length);
  }

  /** Closes the encoder and returns the pixels of frames not handed on. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    this.#backend?.close();
    for (const f of this.#waiting.splice(0))
      if (f.data.byteLength > 0) this.ctx.pool.release(f.data);
  }

  /**
   * The first frame decides the format (decided once per stream); a later one of
   * another size is scaled to it (`#fit`), so only the first needs an even size.
   */
  #formatOf(frame: Frame): EncodeFormat {
    const problem =
      frame.data.byteLength === 0
        ? 'carries no pixels (add a decode stage before encode)'
        : frame.format !== 'yuv420p'
          ? `is ${frame.format}; H.264 is encoded from yuv420p`
          : !this.#format && (frame.width % 2 || frame.height % 2)
            ? `is ${frame.width}x${frame.height}; yuv420p needs even sizes`
            : undefined;
    if (problem)
      throw new FramewireError('STAGE_FAILED', `${this.ctx.name}: frame ${frame.seq} ${problem}`, {
        component: this.ctx.name,
      });
    this.#format ??= {
      width: frame.width,
      height: frame.height,
      fps: this.ctx.stream?.fps ?? this.opts.fallbackFps,
    };
    return this.#format;
  }

  /**
   * node-webcodecs reports flush completion and outputs through separate native
   * queues: wait until every frame has its unit or two loop turns bring nothing.
   */
  async #settle(): Promise<void> {
    for (let idle = 0; idle < 2 && this.#waiting.length > 0; ) {
      const before = this.#waiting.length;
      await new Promise((resolve) => setImmediate(resolve));
      idle = this.#waiting.length === before ? idle + 1 : 0;
    }
  }

  #onOutput(unit: EncodedUnit): void {
    if (this.#closed || this.#fatal) return;
    try {
      this.#attach(unit);
    } catch (e) {
      this.#setFatal(e, 'reading the encoder output');
    }
  }

  /** Gives the unit to the frame it belongs to (the oldest one waiting) and emits that frame. */
  #attach(unit: EncodedUnit): void {
    if (unit.timestamp !== undefined) {
      // The encoder skipped pictures (rate control may): they are the ones before the match.
      const at = this.#waiting.findIndex((f) => f.pts === unit.timestamp);
      if (at < 0) throw new Error(`no picture has timestamp ${unit.timestamp}`);
      this.#skip(at);
    }
    const frame = this.#waiting.shift();
    if (!frame) throw new Error('more access units than pictures');
    if (unit.key) this.#config = decoderConfigOf(unit.data) ?? this.#config;
    const config = this.#config;
    if (!config) throw new Error('the first key frame has no SPS/PPS');
    const encoded: EncodedVideo = {
      packet: {
        data: unit.data,
        key: unit.key,
        pts: frame.pts,
        dts: frame.pts,
        codec: config.codec,
      },
      ...(unit.key ? { decoderConfig: config } : {}),
    };
    frame.meta.encoded = encoded;
    this.emit(frame);
    this.#wake?.();
  }

  /** Passes on the oldest `n` waiting frames without an access unit, counting each. */
  #skip(n: number): void {
    for (const frame of this.#waiting.splice(0, n)) {
      this.ctx.count('ENCODE_SKIPPED');
      this.emit(frame);
    }
  }

  #setFatal(cause: unknown, doing: string): void {
    if (this.#fatal || this.#closed) return;
    const message = cause instanceof Error ? cause.message : String(cause);
    this.#fatal = new FramewireError(
      'STAGE_FAILED',
      `${this.ctx.name}: ${doing} failed: ${message}`,
      {
        component: this.ctx.name,
        cause,
        // A backend's own advice (e.g. how to point at a working ffmpeg) is kept.
        ...(cause instanceof FramewireError && cause.hint ? { hint: cause.hint } : {}),
      },
    );
    this.#wake?.();
    this.fail(this.#fatal);
  }

  #check(): void {
    if (this.#fatal) throw this.#fatal;
    if (this.#closed)
      throw new FramewireError('STAGE_FAILED', `${this.ctx.name}: encoder already closed`, {
        component: this.ctx.name,
      });
  }
}

function fitsFormat(frame: Frame, format: EncodeFormat): boolean {
  return frame.width === format.width && frame.height === format.height;
}
