import {
  EncodedPacket,
  EncodedVideoPacketSource,
  FilePathTarget,
  Mp4OutputFormat,
  Output,
} from 'mediabunny';
import { annexBToLengthPrefixed } from '../core/avc.ts';
import type { AvcDecoderConfig, EncodedVideo } from '../core/encoded.ts';

/**
 * The track timescale: 1 MHz, the unit of frame timestamps, so every pts is
 * stored exactly (mediabunny derives the timescale from `frameRate` and snaps
 * timestamps to it; variable frame rate needs no nominal rate).
 */
const TIMESCALE = 1_000_000;

/**
 * Writes already-encoded H.264 access units to a fragmented MP4 (`avc1`, avcC in
 * the sample entry) with mediabunny. A fragment starts at every key frame and
 * reaches the disk when the next one begins, so a killed process leaves a file
 * that plays up to the last whole GOP. Packets must arrive in decode order with
 * no B-frames (what the encode stage produces), starting at a key frame.
 */
export class Mp4Muxer {
  readonly #track = new EncodedVideoPacketSource('avc');
  /** Created with the first key frame: a muxer that never gets one leaves no file. */
  #output: Output | undefined;
  #started: Promise<void> | undefined;
  #config: AvcDecoderConfig | undefined;
  #lastPts: number | undefined;
  /** Duration given to each packet until the next one refines it: the last frame keeps it. */
  #lastDuration: number;
  #finished = false;
  /** Packets written so far (those before the first key frame are not). */
  packets = 0;

  /** `frameDuration`: µs for the last frame (and the first, before spacing is known). */
  constructor(
    readonly path: string,
    frameDuration: number,
  ) {
    this.#lastDuration = frameDuration;
  }

  #start(): Promise<void> {
    const output = new Output({
      format: new Mp4OutputFormat({ fastStart: 'fragmented', minimumFragmentDuration: 0 }),
      // Unchunked: each fragment is written through as soon as mediabunny flushes
      // it, instead of collecting 16 MiB in memory first.
      target: new FilePathTarget(this.path, { chunked: false }),
    });
    output.addVideoTrack(this.#track, { frameRate: TIMESCALE });
    this.#output = output;
    return output.start();
  }

  /**
   * Adds one access unit; resolves when the writer can take more. Returns false
   * for a packet that cannot start a file (a delta frame before any key frame).
   */
  async add(encoded: EncodedVideo): Promise<boolean> {
    if (this.#finished) throw new Error('the muxer already finished');
    const { packet, decoderConfig } = encoded;
    if (!this.#config) {
      if (!packet.key || !decoderConfig) return false;
      this.#config = decoderConfig;
    } else if (decoderConfig && !sameFormat(decoderConfig, this.#config)) {
      throw new Error(
        `the stream changed from ${describe(this.#config)} to ${describe(decoderConfig)}; one MP4 track holds one set of parameter sets`,
      );
    }
    this.#started ??= this.#start();
    await this.#started;
    if (this.#lastPts !== undefined) {
      if (packet.pts <= this.#lastPts)
        throw new Error(`timestamps must increase (${packet.pts} after ${this.#lastPts})`);
      this.#lastDuration = packet.pts - this.#lastPts;
    }
    this.#lastPts = packet.pts;
    const sample = new EncodedPacket(
      annexBToLengthPrefixed(packet.data, true),
      packet.key ? 'key' : 'delta',
      packet.pts / TIMESCALE,
      this.#lastDuration / TIMESCALE,
    );
    const first = this.packets++ === 0;
    const { codec, codedWidth, codedHeight, description } = this.#config;
    await this.#track.add(
      sample,
      first ? { decoderConfig: { codec, codedWidth, codedHeight, description } } : undefined,
    );
    return true;
  }

  /** Writes the last fragment. Idempotent; without any packet no file was created. */
  async finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    if (!this.#output) return;
    await this.#started;
    await this.#output.finalize();
  }
}

/** In-band SPS/PPS are dropped from samples, so the avcC must describe every packet. */
function sameFormat(a: AvcDecoderConfig, b: AvcDecoderConfig): boolean {
  return Buffer.compare(a.description, b.description) === 0;
}

function describe(c: AvcDecoderConfig): string {
  return `${c.codec} ${c.codedWidth}x${c.codedHeight}`;
}
