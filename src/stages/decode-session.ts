import type { ComponentContext } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';
import { type Frame, frameByteLength, type Packet } from '../core/frame.ts';

/** The slice of the WebCodecs `VideoFrame` the session uses. */
export interface DecodedFrame {
  readonly format: string | null;
  readonly codedWidth: number;
  readonly codedHeight: number;
  /** node-webcodecs: the timestamp of the chunk whose decoding produced this output. */
  readonly timestamp: number;
  copyTo(dest: Uint8Array, options?: { format?: 'I420' }): Promise<unknown>;
  close(): void;
}

/** The slice of the WebCodecs `VideoDecoder` the session uses; tests substitute fakes. */
export interface DecoderLike {
  readonly state: string;
  readonly decodeQueueSize: number;
  ondequeue: ((event: Event) => void) | null;
  decode(chunk: { type: 'key' | 'delta'; timestamp: number; data: Uint8Array }): void;
  flush(): Promise<void>;
  close(): void;
}

export interface DecoderCallbacks {
  output(frame: DecodedFrame): void;
  error(error: Error): void;
}

/** Creates and configures a decoder for the first packet of a stream. */
export type DecoderFactory = (
  packet: Packet,
  frame: Frame,
  cb: DecoderCallbacks,
) => Promise<DecoderLike>;

export interface SessionOptions {
  /** Bound on the decoder's `decodeQueueSize` before `push` waits. */
  readonly queue: number;
  /**
   * Pictures a decoder may legitimately hold back for a stream (reordering, frame
   * threads). More packets than this without output means pictures were lost.
   */
  readonly maxHeld: (firstPacket: Packet) => number;
}

/** A packet given to the decoder whose picture has not come out yet. */
interface Pending {
  /** Submission index, which node-webcodecs reports back as the chunk timestamp. */
  readonly index: number;
  /** The packet's presentation timestamp: its picture's, whenever that comes out. */
  readonly pts: number;
  /** False for `decodeFirst` packets: decoded for reference only, their pictures closed unseen. */
  readonly shown: boolean;
}

interface Slot {
  readonly frame: Frame;
  /** `waiting` for a picture, `copying` pixels out, `ready` to emit in order. */
  state: 'waiting' | 'copying' | 'ready';
}

/** Reads `meta.packet`, which sources set on frames that carry an encoded access unit. */
export function packetOf(frame: Frame): Packet | undefined {
  return frame.meta.packet;
}

/**
 * Feeds packet frames to one decoder and emits each frame, in input order, once
 * its pixels are in. Packets arrive in decode order and pictures come out in
 * presentation order, so a picture is matched by position: the k-th shown
 * picture fills the k-th packet frame, and takes the smallest presentation
 * timestamp among the packets still waiting (its own: a decoder emits a picture
 * only once every earlier one is out). node-webcodecs reports the chunk being
 * decoded rather than the picture's own timestamp, so this is how a frame gets
 * the stream's pts; seq stays the frame's position.
 *
 * A discontinuity (`meta.discontinuity`: a live source reconnected) ends one
 * stream and starts another, possibly at another size or profile: the decoder
 * is drained, closed and configured anew from the new key frame's SPS, so
 * pictures before the gap come out as they were and those after it at the new
 * size. A stream (the first, or one after a discontinuity) must start at a key
 * frame: packets before it are dropped and counted as BEFORE_KEY_FRAME. The
 * flag stays on the first frame of the new stream that comes out, even when
 * the flagged frame itself is lost.
 */
export class DecodeSession {
  readonly #slots: Slot[] = [];
  readonly #pending: Pending[] = [];
  /** The submission being decoded right now: a synchronous error belongs to it. */
  #decoding: number | undefined;
  readonly #copies = new Set<Promise<void>>();
  #decoder: DecoderLike | undefined;
  /** Packets given to the decoder, outputs received, packets known lost. */
  #submitted = 0;
  #outputs = 0;
  #lost = 0;
  /** Packets the decoder has provably consumed (from output timestamps and errors). */
  #consumed = 0;
  /** Set from the stream's first packet: see `SessionOptions.maxHeld`. */
  #maxHeld = 0;
  #convert = false;
  #formatChecked = false;
  #fatal: Error | undefined;
  #closed = false;
  #wake: (() => void) | undefined;
  /** Bumped when a decoder is replaced: late callbacks of an old one are ignored. */
  #generation = 0;
  /** A flagged frame was dropped before any later frame arrived: the next one carries the flag. */
  #carryDiscontinuity = false;
  /** The last picture size, to say when a new stream comes back at another one. */
  #size: string | undefined;

  constructor(
    readonly ctx: ComponentContext,
    readonly opts: SessionOptions,
    readonly factory: DecoderFactory,
    readonly emit: (frame: Frame) => void,
    readonly fail: (error: Error) => void,
  ) {}

  /** Hands one frame over; resolves when the decoder can take the next. */
  async push(frame: Frame): Promise<void> {
    this.#check();
    // Only the source's own flag starts a new stream; a carried one just marks where it shows.
    const newStream = frame.meta.discontinuity === true;
    this.#takeCarriedFlag(frame);
    const packet = packetOf(frame);
    if (!packet) {
      // Already has pixels: passes through untouched, but not ahead of earlier frames.
      this.#slots.push({ frame, state: 'ready' });
      this.#emitReady();
      return;
    }
    // A new stream begins: what the old decoder holds comes out first, at the old size.
    if (newStream && this.#decoder) await this.#restart();
    if (!this.#decoder && !(packet.decodeFirst?.[0] ?? packet).key) {
      // Nothing decodes before a key frame: a decoder would reject it (or show garbage).
      this.ctx.count('BEFORE_KEY_FRAME');
      if (frame.meta.discontinuity) this.#carryDiscontinuity = true;
      return;
    }
    for (const hidden of packet.decodeFirst ?? []) await this.#submit(hidden, frame, false);
    await this.#submit(packet, frame, true);
  }

  async #submit(packet: Packet, frame: Frame, shown: boolean): Promise<void> {
    if (!this.#decoder) {
      this.#maxHeld = this.opts.maxHeld(packet);
      const generation = this.#generation;
      this.#decoder = await this.factory(packet, frame, {
        output: (f) => (generation === this.#generation ? this.#onOutput(f) : f.close()),
        error: (e) => {
          if (generation === this.#generation) this.#onError(e);
        },
      });
    }
    const decoder = this.#decoder;
    decoder.ondequeue = () => this.#wake?.();
    // Only the decoder's own queue holds us back: pictures it keeps for reordering
    // need later packets to come out, so waiting on them could deadlock.
    while (decoder.decodeQueueSize >= this.opts.queue) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#check();
    }
    if (shown) this.#slots.push({ frame, state: 'waiting' });
    const index = this.#submitted++;
    this.#pending.push({ index, pts: packet.pts, shown });
    // The timestamp is the submission index: node-webcodecs reports it back on
    // outputs, which tells how far the decoder has read.
    this.#decoding = index;
    try {
      decoder.decode({ type: packet.key ? 'key' : 'delta', timestamp: index, data: packet.data });
    } finally {
      this.#decoding = undefined;
    }
  }

  /** End of stream: drains the decoder and emits everything still held. */
  async flush(): Promise<void> {
    this.#check();
    await this.#drain();
    this.#check();
    this.#emitReady();
  }

  /** Every picture the decoder holds comes out; packets that gave none were undecodable. */
  async #drain(): Promise<void> {
    if (this.#decoder && this.#pending.length > 0) {
      await this.#decoder.flush();
      await this.#settle();
      this.#lose(this.#pending.length);
    }
    await Promise.all(this.#copies);
  }

  /**
   * Ends the current stream at a discontinuity: drains and closes its decoder,
   * so the next packet (a key frame with its SPS) configures a new one, at
   * whatever size and profile the new stream has.
   */
  async #restart(): Promise<void> {
    await this.#drain();
    this.#check();
    this.#emitReady();
    const old = this.#decoder;
    this.#decoder = undefined;
    this.#generation++;
    // The new stream may differ in chroma format or bit depth too.
    this.#formatChecked = false;
    if (old && old.state !== 'closed') old.close();
  }

  /** Puts a flag that lost its frame onto this one, the next frame of the new stream. */
  #takeCarriedFlag(frame: Frame): void {
    if (!this.#carryDiscontinuity) return;
    this.#carryDiscontinuity = false;
    frame.meta.discontinuity = true;
  }

  /** Closes the decoder and releases every buffer not handed downstream. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    if (this.#decoder && this.#decoder.state !== 'closed') this.#decoder.close();
    for (const s of this.#slots.splice(0)) if (s.state === 'ready') this.#release(s.frame);
  }

  /**
   * node-webcodecs delivers flush completion and outputs through separate native
   * queues, so the last outputs can land after `flush()` resolves: wait until
   * every packet frame has its picture or two event-loop turns bring nothing new.
   */
  async #settle(): Promise<void> {
    for (let idle = 0; idle < 2 && this.#pending.length > 0; ) {
      const before = this.#outputs;
      await new Promise((resolve) => setImmediate(resolve));
      idle = this.#outputs === before ? idle + 1 : 0;
    }
  }

  #onOutput(picture: DecodedFrame): void {
    if (this.#closed) {
      picture.close();
      return;
    }
    // Account for lost packets first, so this picture lands on the right frame.
    this.#consumed = Math.max(this.#consumed, picture.timestamp + 1);
    this.#dropLost(1);
    const next = this.#takeEarliest();
    const slot = next?.shown ? this.#slots.find((s) => s.state === 'waiting') : undefined;
    if (!next || (next.shown && !slot)) {
      // More pictures than packets (field pairs split over AUs): nobody takes it.
      picture.close();
      this.ctx.count('EXTRA_PICTURE');
      return;
    }
    this.#outputs++;
    if (!slot) {
      // A reference decoded only to reach the pictures around a cut.
      picture.close();
      this.#wake?.();
      return;
    }
    slot.frame.pts = next.pts;
    slot.state = 'copying';
    const copy = this.#copy(picture, slot).catch((e: unknown) =>
      this.#setFatal(e, 'copying a decoded frame'),
    );
    this.#copies.add(copy);
    void copy.finally(() => this.#copies.delete(copy));
    this.#wake?.();
  }

  #onError(error: Error): void {
    if (this.#closed) return;
    if (this.#decoder?.state === 'closed') {
      this.#setFatal(error, 'decoding (the decoder closed)');
      return;
    }
    // The decoder rejected one packet and stays usable: a recoverable, counted event.
    this.#consumed = Math.max(this.#consumed, this.#outputs + this.#lost + 1);
    const at = this.#pending.findIndex((p) => p.index === this.#decoding);
    this.#lose(1, at);
    this.#wake?.();
  }

  async #copy(picture: DecodedFrame, slot: Slot): Promise<void> {
    try {
      if (!this.#formatChecked) {
        // Decided once per stream: 4:2:2, 4:4:4 or 10-bit streams convert to 8-bit I420.
        this.#formatChecked = true;
        this.#convert = picture.format !== 'I420';
        if (this.#convert)
          this.ctx.log.warn(
            `${this.ctx.name}: decoder outputs ${picture.format ?? 'an unknown format'}; converting to yuv420p`,
          );
      }
      const { codedWidth: width, codedHeight: height } = picture;
      const size = `${width}x${height}`;
      if (this.#size !== undefined && size !== this.#size)
        this.ctx.log.info(`${this.ctx.name}: the stream is now ${size} (was ${this.#size})`);
      this.#size = size;
      const buf = this.ctx.pool.acquire(frameByteLength('yuv420p', width, height));
      try {
        await picture.copyTo(buf, this.#convert ? { format: 'I420' } : undefined);
      } catch (e) {
        this.ctx.pool.release(buf);
        throw e;
      }
      const { frame } = slot;
      frame.data = buf;
      frame.width = width;
      frame.height = height;
      frame.format = 'yuv420p';
      delete frame.meta.packet;
      slot.state = 'ready';
    } finally {
      // Every VideoFrame pins a native buffer: close it whatever happened.
      picture.close();
    }
    if (this.#closed) this.#release(slot.frame);
    else this.#emitReady();
  }

  /**
   * A decoder holds back at most `maxHeld` pictures. Consumed packets beyond those,
   * the pictures already out and `arriving` (the one being delivered) were lost.
   */
  #dropLost(arriving: number): void {
    const held = this.#consumed - this.#outputs - this.#lost - arriving;
    if (held > this.#maxHeld) this.#lose(held - this.#maxHeld);
  }

  /** Removes and returns the waiting packet with the earliest presentation time. */
  #takeEarliest(at = -1): Pending | undefined {
    let best = at;
    if (best < 0) {
      for (let i = 0; i < this.#pending.length; i++)
        if (best < 0 || this.#pending[i]!.pts < this.#pending[best]!.pts) best = i;
    }
    return best < 0 ? undefined : this.#pending.splice(best, 1)[0];
  }

  /**
   * `n` pictures will never come: the packet at `at` (a rejected one) or else the
   * earliest ones. Each is a counted FRAME_CORRUPT event; a shown one also drops
   * the oldest frame still waiting, since pictures fill frames by position.
   */
  #lose(n: number, at = -1): void {
    for (let i = 0; i < n; i++) {
      const lost = this.#takeEarliest(i === 0 ? at : -1);
      if (!lost) break;
      this.#lost++;
      this.ctx.count('FRAME_CORRUPT');
      if (!lost.shown) continue;
      const slot = this.#slots.findIndex((s) => s.state === 'waiting');
      if (slot < 0) continue;
      const { frame } = this.#slots.splice(slot, 1)[0]!;
      this.#release(frame);
      if (frame.meta.discontinuity) this.#passFlagOn(slot);
    }
    this.#emitReady();
  }

  /** The flag of a lost frame goes to the next frame in order (or the next to arrive). */
  #passFlagOn(at: number): void {
    const next = this.#slots[at];
    if (next) next.frame.meta.discontinuity = true;
    else this.#carryDiscontinuity = true;
  }

  #emitReady(): void {
    while (this.#slots[0]?.state === 'ready' && !this.#fatal) {
      const slot = this.#slots.shift();
      if (slot) this.emit(slot.frame);
    }
  }

  /** Packet frames carry an empty array, not a pooled buffer: only real pixels go back. */
  #release(frame: Frame): void {
    if (frame.data.byteLength > 0) this.ctx.pool.release(frame.data);
  }

  #setFatal(cause: unknown, doing: string): void {
    if (this.#fatal) return;
    const message = cause instanceof Error ? cause.message : String(cause);
    this.#fatal = new FramewireError(
      'STAGE_FAILED',
      `${this.ctx.name}: ${doing} failed: ${message}`,
      {
        component: this.ctx.name,
        fatal: true,
        cause,
      },
    );
    this.#wake?.();
    this.fail(this.#fatal);
  }

  #check(): void {
    if (this.#fatal) throw this.#fatal;
    if (this.#closed)
      throw new FramewireError('STAGE_FAILED', `${this.ctx.name}: decoder already closed`);
  }
}
