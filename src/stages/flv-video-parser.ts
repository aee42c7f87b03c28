/**
 * Splits an FLV byte stream (as ffmpeg writes it to a pipe) into its H.264
 * video tags. FLV frames every packet with its size, so an access unit is
 * complete the moment its bytes arrive; a raw Annex B stream split on
 * delimiters only knows an AU ended when the next one starts, which would hold
 * one frame back inside the encoder and stall a pipeline with `maxInFlight: 1`.
 * Video file format specification v10, annex E.
 */

export interface FlvVideoTag {
  /** `config`: an AVCDecoderConfigurationRecord; `nalu`: one access unit; `end`: end of sequence. */
  readonly kind: 'config' | 'nalu' | 'end';
  readonly key: boolean;
  /** The tag payload after the 5-byte AVC video header (length-prefixed NALs, or the avcC record). */
  readonly data: Uint8Array;
}

const TAG_VIDEO = 9;
const CODEC_AVC = 7;
const KINDS = ['config', 'nalu', 'end'] as const;

export class FlvVideoParser {
  #buf: Buffer = Buffer.alloc(0);
  #headerRead = false;
  /** Bytes to discard before the next tag: the file header, then each PreviousTagSize. */
  #skip = 0;

  /** Appends bytes and returns every video tag they completed, in stream order. */
  push(chunk: Uint8Array): FlvVideoTag[] {
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
    const tags: FlvVideoTag[] = [];
    for (;;) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, this.#buf.length);
        this.#buf = this.#buf.subarray(n);
        this.#skip -= n;
        if (this.#skip > 0) break;
      }
      if (!this.#headerRead) {
        if (this.#buf.length < 9) break;
        if (this.#buf.toString('latin1', 0, 3) !== 'FLV') throw new RangeError('not an FLV stream');
        this.#headerRead = true;
        this.#skip = this.#buf.readUInt32BE(5) + 4; // header, then PreviousTagSize0
        continue;
      }
      if (this.#buf.length < 11) break;
      const type = this.#buf[0]! & 0x1f;
      const size = this.#buf.readUIntBE(1, 3);
      if (this.#buf.length < 11 + size) break;
      // Delivered without waiting for the trailing PreviousTagSize: the AU is whole.
      if (type === TAG_VIDEO && size >= 5) tags.push(videoTag(this.#buf.subarray(11, 11 + size)));
      this.#buf = this.#buf.subarray(11 + size);
      this.#skip = 4;
    }
    return tags;
  }

  /** Bytes received but not yet part of a whole tag (a cut-off stream leaves some). */
  get pending(): number {
    return this.#buf.length;
  }
}

function videoTag(payload: Buffer): FlvVideoTag {
  const frameType = payload[0]! >> 4;
  const codec = payload[0]! & 0x0f;
  if (codec !== CODEC_AVC) throw new RangeError(`FLV video codec ${codec} is not H.264`);
  const kind = KINDS[payload[1]!];
  if (!kind) throw new RangeError(`unknown AVC packet type ${payload[1]}`);
  // Copied out: the parser's buffer is reused, the packet lives on in the frame.
  return { kind, key: frameType === 1, data: Uint8Array.prototype.slice.call(payload, 5) };
}
