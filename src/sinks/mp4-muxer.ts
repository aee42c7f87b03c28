import { type FileHandle, open } from 'node:fs/promises';
import {
  EncodedPacket,
  EncodedVideoPacketSource,
  Mp4OutputFormat,
  Output,
  StreamTarget,
  type StreamTargetChunk,
} from 'mediabunny';
import { annexBToLengthPrefixed } from '../codec/avc.ts';
import type { AvcDecoderConfig, EncodedVideo } from '../core/encoded.ts';
import { lostItsName, syncToDisk } from './file-checks.ts';

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
 *
 * The file is written through our own handle rather than mediabunny's
 * `FilePathTarget`, so that a write error (disk full, I/O error) is known for
 * certain and fails the next `add()` or `finish()`; and since on Linux a file
 * whose directory is deleted keeps accepting writes into nowhere, the handle is
 * also checked to still have a name at every key frame and at the end.
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
  #file: FileHandle | undefined;
  /** The first failed write; every later call reports it. */
  #writeError: Error | undefined;
  /** Packets written so far (those before the first key frame are not). */
  packets = 0;

  /** `frameDuration`: µs for the last frame (and the first, before spacing is known). */
  constructor(
    readonly path: string,
    frameDuration: number,
  ) {
    this.#lastDuration = frameDuration;
  }

  async #start(): Promise<void> {
    const file = await open(this.path, 'w');
    this.#file = file;
    const writable = new WritableStream<StreamTargetChunk>({
      write: async (chunk) => {
        try {
          await file.write(chunk.data, 0, chunk.data.byteLength, chunk.position);
        } catch (e) {
          this.#writeError ??= e as Error;
          throw e;
        }
      },
    });
    const output = new Output({
      format: new Mp4OutputFormat({ fastStart: 'fragmented', minimumFragmentDuration: 0 }),
      // Unchunked: each fragment is written through as soon as mediabunny flushes
      // it, instead of collecting 16 MiB in memory first.
      target: new StreamTarget(writable, { chunked: false }),
    });
    output.addVideoTrack(this.#track, { frameRate: TIMESCALE });
    this.#output = output;
    await output.start();
  }

  /** Throws the first write error, or a lost file (its directory or name deleted). */
  async #check(): Promise<void> {
    if (this.#writeError) throw this.#writeError;
    if (this.#file && (await lostItsName(this.#file)))
      throw new Error('the file was deleted while being written (was its directory removed?)');
  }

  /**
   * Whether a key frame with this decoder config can go on in this file: one MP4
   * track holds one set of parameter sets (so one picture size). Yes before the
   * first key frame.
   */
  fits(config: AvcDecoderConfig): boolean {
    return !this.#config || sameFormat(config, this.#config);
  }

  /** The format the file holds, once its first key frame came. */
  get format(): string | undefined {
    return this.#config && describe(this.#config);
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
    // A key frame flushes the previous fragment: check it reached the file.
    if (packet.key) await this.#check();
    await this.#track.add(
      sample,
      first ? { decoderConfig: { codec, codedWidth, codedHeight, description } } : undefined,
    );
    if (this.#writeError) throw this.#writeError;
    return true;
  }

  /** Writes the last fragment. Idempotent; without any packet no file was created. */
  async finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    if (!this.#output) return;
    try {
      await this.#started;
      await this.#output.finalize();
      await this.#check();
      // On disk before success is reported.
      if (this.#file) await syncToDisk(this.#file);
    } finally {
      await this.#file?.close().catch(() => {});
    }
  }

  /** Gives up without finishing the file (after a failure): closes the handle. Idempotent. */
  async abort(): Promise<void> {
    this.#finished = true;
    await this.#file?.close().catch(() => {});
  }
}

/** In-band SPS/PPS are dropped from samples, so the avcC must describe every packet. */
function sameFormat(a: AvcDecoderConfig, b: AvcDecoderConfig): boolean {
  return Buffer.compare(a.description, b.description) === 0;
}

function describe(c: AvcDecoderConfig): string {
  return `${c.codec} ${c.codedWidth}x${c.codedHeight}`;
}
