/**
 * Splits an AVI byte stream (as ffmpeg writes it to a pipe) into the packets of
 * its first video stream. AVI frames every packet with its size, so an access
 * unit is complete the moment its bytes arrive (a raw Annex B stream split on
 * delimiters only knows an AU ended when the next one starts, which would hold
 * one frame back inside the encoder and stall a pipeline with `maxInFlight: 1`),
 * and unlike FLV or MP4 it stores H.264 exactly as x264 wrote it: Annex B with
 * SPS/PPS before every key frame. The byte stream is then converted once, by
 * whoever needs length-prefixed NAL units (the MP4 muxer).
 *
 * RIFF layout (OpenDML AVI 1.02): `RIFF AVI ` holds `LIST hdrl` (skipped),
 * `LIST movi` (the packets, `00dc` chunks), then `idx1`; past 1 GiB ffmpeg
 * continues with `RIFF AVIX` / `LIST movi`. On a pipe ffmpeg cannot seek back
 * to fill in sizes, so open-ended containers say 0xFFFFFFFF; they are entered,
 * not skipped.
 */

const FOURCC_BYTES = 4;
const HEADER = 8;
/** Containers whose children are read: the file, its OpenDML extensions, the packet list. */
const ENTERED = new Set(['AVI ', 'AVIX', 'movi']);
const UNKNOWN_SIZE = 0xffffffff;

export class AviVideoParser {
  #buf: Buffer = Buffer.alloc(0);
  /** Bytes to discard before the next chunk (a skipped chunk's body and pad). */
  #skip = 0;
  #started = false;

  /** Appends bytes and returns every video packet they completed (copies), in stream order. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
    const packets: Uint8Array[] = [];
    for (;;) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, this.#buf.length);
        this.#buf = this.#buf.subarray(n);
        this.#skip -= n;
        if (this.#skip > 0) break;
      }
      if (this.#buf.length < HEADER) break;
      const id = this.#buf.toString('latin1', 0, FOURCC_BYTES);
      const size = this.#buf.readUInt32LE(FOURCC_BYTES);
      if (!this.#started && id !== 'RIFF') throw new RangeError('not an AVI stream');
      this.#started = true;
      if (id === 'RIFF' || id === 'LIST') {
        if (this.#buf.length < HEADER + FOURCC_BYTES) break;
        const type = this.#buf.toString('latin1', HEADER, HEADER + FOURCC_BYTES);
        if (ENTERED.has(type) || size === UNKNOWN_SIZE) {
          this.#buf = this.#buf.subarray(HEADER + FOURCC_BYTES);
        } else {
          this.#buf = this.#buf.subarray(HEADER);
          this.#skip = padded(size);
        }
        continue;
      }
      // `00dc` / `00db`: stream 0, compressed or uncompressed video. Empty ones fill gaps.
      if (/^00d[cb]$/.test(id)) {
        if (this.#buf.length < HEADER + size) break;
        if (size > 0)
          packets.push(Uint8Array.prototype.slice.call(this.#buf, HEADER, HEADER + size));
        this.#buf = this.#buf.subarray(HEADER + size);
        this.#skip = size % 2;
        continue;
      }
      this.#buf = this.#buf.subarray(HEADER);
      this.#skip = padded(size);
    }
    return packets;
  }

  /** Bytes received but not yet part of a whole chunk (a cut-off stream leaves some). */
  get pending(): number {
    return this.#buf.length;
  }
}

/** RIFF chunk bodies are padded to an even length. */
function padded(size: number): number {
  return size + (size % 2);
}
