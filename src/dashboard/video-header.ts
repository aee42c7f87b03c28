import type { VideoPacket } from './protocol.ts';

/** "FW", the first two bytes of every binary video frame. */
const MAGIC = 0x4657;
const HEADER_BYTES = 22;
const KIND_H264 = 1;
const KIND_JPEG = 2;

/**
 * Reads a binary video frame of protocol v1 (docs/websocket.md, "Video"),
 * big-endian:
 *
 *     0  2  magic "FW"             2  1  version, 1
 *     3  1  kind: 1 H.264, 2 JPEG  4  1  flags: bit 0 key, bit 1 discontinuity
 *     5  1  codec string length L  6  2  width    8  2  height
 *    10  4  seq                   14  8  pts (int64, microseconds)
 *    22  L  codec string (ASCII), then the payload: an Annex B access unit or a JPEG file
 *
 * Returns undefined for a frame that does not parse, which is skipped.
 */
export function parseVideoPacket(buf: ArrayBuffer): VideoPacket | undefined {
  if (buf.byteLength < HEADER_BYTES) return undefined;
  const view = new DataView(buf);
  if (view.getUint16(0) !== MAGIC || view.getUint8(2) !== 1) return undefined;
  const kind = view.getUint8(3);
  if (kind !== KIND_H264 && kind !== KIND_JPEG) return undefined;
  const flags = view.getUint8(4);
  const n = view.getUint8(5);
  if (buf.byteLength < HEADER_BYTES + n) return undefined;
  const codec =
    kind === KIND_JPEG ? 'jpeg' : new TextDecoder().decode(new Uint8Array(buf, HEADER_BYTES, n));
  return {
    key: (flags & 1) !== 0,
    discontinuity: (flags & 2) !== 0,
    width: view.getUint16(6),
    height: view.getUint16(8),
    seq: view.getUint32(10),
    pts: Number(view.getBigInt64(14)),
    codec,
    data: new Uint8Array(buf, HEADER_BYTES + n),
  };
}
