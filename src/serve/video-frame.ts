/**
 * Binary video frames of protocol v1 (docs/websocket.md, "Video"): a 22-byte
 * header, the codec string, then the payload. Big-endian throughout.
 *
 *     0  2  magic "FW" (0x46 0x57)
 *     2  1  version, 1
 *     3  1  kind: 1 H.264 access unit (Annex B), 2 JPEG picture
 *     4  1  flags: bit 0 key frame, bit 1 discontinuity (a new stream: reset the decoder)
 *     5  1  codec string length L (0 for JPEG)
 *     6  2  width   8  2  height   (of the picture)
 *    10  4  seq     (uint32, the frame's sequence number)
 *    14  8  pts     (int64, microseconds)
 *    22  L  codec string, ASCII (`avc1.42c01f`: WebCodecs' `codec`)
 *  22+L     payload: the access unit with start codes, SPS and PPS in band on
 *           every key frame (WebCodecs decodes Annex B when `configure()` gets
 *           no `description`), or a whole JPEG file.
 */

export const VIDEO_MAGIC = 0x4657;
export const VIDEO_HEADER_BYTES = 22;
export const VideoKind = { h264: 1, jpeg: 2 } as const;
export const VideoFlag = { key: 1, discontinuity: 2 } as const;

export interface VideoFrameFields {
  readonly kind: 'h264' | 'jpeg';
  readonly key: boolean;
  readonly discontinuity: boolean;
  readonly width: number;
  readonly height: number;
  readonly seq: number;
  /** Microseconds. */
  readonly pts: number;
  /** WebCodecs codec string; empty for JPEG. */
  readonly codec: string;
}

export interface VideoFrame extends VideoFrameFields {
  readonly payload: Uint8Array;
}

/** Header and payload in one buffer, ready for `ws.send`. */
export function encodeVideoFrame(fields: VideoFrameFields, payload: Uint8Array): Buffer {
  const codec = Buffer.from(fields.codec, 'ascii');
  if (codec.length > 255) throw new Error(`codec string too long: ${fields.codec}`);
  const out = Buffer.allocUnsafe(VIDEO_HEADER_BYTES + codec.length + payload.byteLength);
  out.writeUInt16BE(VIDEO_MAGIC, 0);
  out.writeUInt8(1, 2);
  out.writeUInt8(VideoKind[fields.kind], 3);
  out.writeUInt8(
    (fields.key ? VideoFlag.key : 0) | (fields.discontinuity ? VideoFlag.discontinuity : 0),
    4,
  );
  out.writeUInt8(codec.length, 5);
  out.writeUInt16BE(fields.width, 6);
  out.writeUInt16BE(fields.height, 8);
  out.writeUInt32BE(fields.seq >>> 0, 10);
  out.writeBigInt64BE(BigInt(Math.round(fields.pts)), 14);
  codec.copy(out, VIDEO_HEADER_BYTES);
  out.set(payload, VIDEO_HEADER_BYTES + codec.length);
  return out;
}

/** Reads a binary frame back (clients, tests); throws on anything that is not one. */
export function decodeVideoFrame(data: Uint8Array): VideoFrame {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < VIDEO_HEADER_BYTES || b.readUInt16BE(0) !== VIDEO_MAGIC) {
    throw new Error('not a framewire video frame');
  }
  if (b.readUInt8(2) !== 1) throw new Error(`unknown video frame version ${b.readUInt8(2)}`);
  const kindByte = b.readUInt8(3);
  const kind =
    kindByte === VideoKind.h264 ? 'h264' : kindByte === VideoKind.jpeg ? 'jpeg' : undefined;
  if (!kind) throw new Error(`unknown video kind ${kindByte}`);
  const flags = b.readUInt8(4);
  const codecLength = b.readUInt8(5);
  return {
    kind,
    key: (flags & VideoFlag.key) !== 0,
    discontinuity: (flags & VideoFlag.discontinuity) !== 0,
    width: b.readUInt16BE(6),
    height: b.readUInt16BE(8),
    seq: b.readUInt32BE(10),
    pts: Number(b.readBigInt64BE(14)),
    codec: b.toString('ascii', VIDEO_HEADER_BYTES, VIDEO_HEADER_BYTES + codecLength),
    payload: b.subarray(VIDEO_HEADER_BYTES + codecLength),
  };
}
