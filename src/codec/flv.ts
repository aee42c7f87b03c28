/**
 * The smallest FLV stream that carries H.264 with its timestamps: a file
 * header, one AVC sequence header (the avcC record) and one video tag per
 * access unit (Adobe FLV spec v10.1, E.4.3). Used to hand encoded video to
 * ffmpeg over a pipe without re-encoding and without inventing a frame rate:
 * raw Annex B on stdin (`-f h264`) would be retimed at a fixed rate, which is
 * wrong whenever a live source drops frames or reconnects.
 */

const TAG_VIDEO = 9;
const TAG_HEADER_BYTES = 11;
/** FrameType (1 key, 2 inter) in the high nibble, CodecID 7 (AVC) in the low one. */
const AVC_KEY = 0x17;
const AVC_INTER = 0x27;
const AVC_SEQUENCE_HEADER = 0;
const AVC_NALU = 1;

/** `FLV`, version 1, video only, header size 9, then PreviousTagSize0 = 0. */
export function flvFileHeader(): Uint8Array {
  return Uint8Array.of(0x46, 0x4c, 0x56, 1, 0x01, 0, 0, 0, 9, 0, 0, 0, 0);
}

/** The AVC sequence header tag: the decoder configuration (avcC), at time 0. */
export function flvSequenceHeader(avcc: Uint8Array): Uint8Array {
  return videoTag(AVC_KEY, AVC_SEQUENCE_HEADER, 0, avcc);
}

/**
 * One access unit as a video tag. `lengthPrefixed` holds 4-byte-length NAL
 * units (what the avcC's lengthSizeMinusOne = 3 announces); `ms` is the
 * decode time in milliseconds, as FLV counts it (32 bits: it wraps after
 * 49.7 days of one connection). No B-frames, so the composition offset is 0.
 */
export function flvVideoTag(lengthPrefixed: Uint8Array, key: boolean, ms: number): Uint8Array {
  return videoTag(key ? AVC_KEY : AVC_INTER, AVC_NALU, ms, lengthPrefixed);
}

function videoTag(flags: number, packetType: number, ms: number, payload: Uint8Array): Uint8Array {
  const dataSize = 5 + payload.length;
  const out = new Uint8Array(TAG_HEADER_BYTES + dataSize + 4);
  const view = new DataView(out.buffer);
  const time = ms >>> 0;
  out[0] = TAG_VIDEO;
  writeUint24(view, 1, dataSize);
  writeUint24(view, 4, time & 0xffffff);
  out[7] = time >>> 24; // TimestampExtended: the upper 8 bits
  // StreamID (3 bytes) stays 0.
  out[11] = flags;
  out[12] = packetType;
  // CompositionTime (3 bytes) stays 0.
  out.set(payload, 16);
  view.setUint32(TAG_HEADER_BYTES + dataSize, TAG_HEADER_BYTES + dataSize);
  return out;
}

function writeUint24(view: DataView, at: number, value: number): void {
  view.setUint8(at, (value >>> 16) & 0xff);
  view.setUint16(at + 1, value & 0xffff);
}
