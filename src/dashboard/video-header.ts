import type { VideoPacket } from './protocol.ts';

/**
 * The small header in front of each binary video frame (docs/websocket.md):
 *
 *   offset 0  u8      header version (1)
 *          1  u8      flags, bit 0 = key frame
 *          2  f64 BE  pts in microseconds
 *         10  u8      n, the codec string's length
 *         11  n bytes codec string, ASCII (`avc1.64001f`, `jpeg`)
 *     11 + n  ...     the payload: an Annex B access unit or a JPEG picture
 *
 * Returns undefined for a frame that does not parse, which is skipped.
 */
export function parseVideoPacket(buf: ArrayBuffer): VideoPacket | undefined {
  if (buf.byteLength < 11) return undefined;
  const view = new DataView(buf);
  if (view.getUint8(0) !== 1) return undefined;
  const key = (view.getUint8(1) & 1) === 1;
  const pts = view.getFloat64(2);
  const n = view.getUint8(10);
  if (buf.byteLength < 11 + n) return undefined;
  const codec = new TextDecoder().decode(new Uint8Array(buf, 11, n));
  return { pts, key, codec, data: new Uint8Array(buf, 11 + n) };
}
