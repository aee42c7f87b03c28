/**
 * H.264 between its two byte-stream forms: Annex B (start codes, what encoders
 * and RTSP produce) and length-prefixed NAL units with an `avcC` record (what
 * MP4 and FLV hold). ISO/IEC 14496-15 §5.3; only 4-byte NAL lengths are written.
 */
import { avcCodecString, forEachNal, NalType, parseSps } from './h264.ts';
import type { AvcDecoderConfig } from '../core/encoded.ts';

const START_CODE = Uint8Array.of(0, 0, 0, 1);
/** Profiles whose avcC ends with chroma format and bit depths (14496-15 §5.3.3.1.1). */
const AVCC_EXTENDED = new Set([100, 110, 122, 144]);

/**
 * The NAL units of an Annex B access unit, without start codes. Trailing zero
 * bytes (a following 4-byte start code, cabac_zero_words) are trimmed: a NAL
 * unit ends with its rbsp_stop_one_bit, never with 0x00.
 */
export function nalUnits(au: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  forEachNal(au, (_type, header, end) => {
    let e = end;
    while (e > header && au[e - 1] === 0) e--;
    if (e > header) out.push(au.subarray(header, e));
  });
  return out;
}

/** The decoder configuration a key frame's in-band SPS and PPS describe; undefined without them. */
export function decoderConfigOf(au: Uint8Array): AvcDecoderConfig | undefined {
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  for (const nal of nalUnits(au)) {
    const type = (nal[0] ?? 0) & 0x1f;
    if (type === NalType.sps) sps.push(nal);
    else if (type === NalType.pps) pps.push(nal);
  }
  const first = sps[0];
  if (!first || pps.length === 0) return undefined;
  const info = parseSps(first);
  return {
    codec: avcCodecString(info),
    description: avcConfigurationRecord(sps, pps),
    codedWidth: info.width,
    codedHeight: info.height,
  };
}

/** Serializes an AVCDecoderConfigurationRecord with 4-byte NAL lengths. */
export function avcConfigurationRecord(sps: Uint8Array[], pps: Uint8Array[]): Uint8Array {
  const first = sps[0];
  if (!first || first.length < 4) throw new RangeError('avcC needs at least one SPS');
  const info = parseSps(first);
  const extended = AVCC_EXTENDED.has(info.profileIdc);
  const size = 7 + [...sps, ...pps].reduce((n, nal) => n + 2 + nal.length, 0) + (extended ? 4 : 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const u8 = (v: number) => {
    out[at++] = v;
  };
  const nals = (list: Uint8Array[]) => {
    for (const nal of list) {
      view.setUint16(at, nal.length);
      out.set(nal, at + 2);
      at += 2 + nal.length;
    }
  };
  u8(1); // configurationVersion
  u8(first[1] ?? 0); // AVCProfileIndication
  u8(first[2] ?? 0); // profile_compatibility
  u8(first[3] ?? 0); // AVCLevelIndication
  u8(0xfc | 3); // reserved + lengthSizeMinusOne
  u8(0xe0 | sps.length);
  nals(sps);
  u8(pps.length);
  nals(pps);
  if (extended) {
    u8(0xfc | info.chromaFormat);
    u8(0xf8 | (info.bitDepth - 8));
    u8(0xf8 | (info.bitDepth - 8));
    u8(0); // numOfSequenceParameterSetExt
  }
  return out;
}

/**
 * Annex B → 4-byte length-prefixed NAL units. Delimiters are dropped, and with
 * `dropParameterSets` also SPS/PPS, which an `avc1` sample entry keeps in avcC.
 */
export function annexBToLengthPrefixed(au: Uint8Array, dropParameterSets = false): Uint8Array {
  const keep = nalUnits(au).filter((nal) => {
    const type = (nal[0] ?? 0) & 0x1f;
    if (type === NalType.aud) return false;
    return !(dropParameterSets && (type === NalType.sps || type === NalType.pps));
  });
  const out = new Uint8Array(keep.reduce((n, nal) => n + 4 + nal.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const nal of keep) {
    view.setUint32(at, nal.length);
    out.set(nal, at + 4);
    at += 4 + nal.length;
  }
  return out;
}

/** Length-prefixed NAL units → Annex B, with `prefix` NAL units (SPS, PPS) put first. */
export function lengthPrefixedToAnnexB(
  data: Uint8Array,
  lengthSize = 4,
  prefix: readonly Uint8Array[] = [],
): Uint8Array {
  const nals: Uint8Array[] = [...prefix];
  for (let at = 0; at + lengthSize <= data.length; ) {
    let len = 0;
    for (let i = 0; i < lengthSize; i++) len = len * 256 + (data[at + i] ?? 0);
    at += lengthSize;
    if (at + len > data.length) throw new RangeError('NAL unit length runs past the packet');
    nals.push(data.subarray(at, at + len));
    at += len;
  }
  const out = new Uint8Array(nals.reduce((n, nal) => n + START_CODE.length + nal.length, 0));
  let at = 0;
  for (const nal of nals) {
    out.set(START_CODE, at);
    out.set(nal, at + START_CODE.length);
    at += START_CODE.length + nal.length;
  }
  return out;
}

/** SPS and PPS NAL units listed in an avcC record, plus its NAL length size. */
export function parseAvcConfigurationRecord(avcc: Uint8Array): {
  lengthSize: number;
  parameterSets: Uint8Array[];
} {
  if (avcc.length < 7 || avcc[0] !== 1) throw new RangeError('not an avcC record');
  const lengthSize = ((avcc[4] ?? 0) & 3) + 1;
  const parameterSets: Uint8Array[] = [];
  let at = 5;
  for (const mask of [0x1f, 0xff]) {
    const count = (avcc[at++] ?? 0) & mask;
    for (let i = 0; i < count; i++) {
      const len = ((avcc[at] ?? 0) << 8) | (avcc[at + 1] ?? 0);
      if (at + 2 + len > avcc.length)
        throw new RangeError('avcC parameter set runs past the record');
      parameterSets.push(avcc.subarray(at + 2, at + 2 + len));
      at += 2 + len;
    }
  }
  return { lengthSize, parameterSets };
}
