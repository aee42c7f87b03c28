/**
 * The few facts about an H.264 Annex B stream a packet reader needs: where NAL
 * units are, which access units are key frames, and what the sequence parameter
 * set says (profile, level, picture size, frame rate). Not a general parser.
 */

/** NAL unit types (ITU-T H.264 table 7-1) this module cares about. */
export const NalType = { slice: 1, idr: 5, sei: 6, sps: 7, pps: 8, aud: 9 } as const;

/** Calls `visit(type, headerOffset, end)` for each NAL unit of an Annex B buffer, in order. */
export function forEachNal(
  au: Uint8Array,
  visit: (type: number, header: number, end: number) => void,
): void {
  let header = -1;
  for (let i = 0; i + 2 < au.length; i++) {
    // A start code is 00 00 01; emulation prevention guarantees it never occurs inside a NAL.
    if (au[i] !== 0 || au[i + 1] !== 0 || au[i + 2] !== 1) continue;
    if (header >= 0) visit((au[header] ?? 0) & 0x1f, header, i);
    header = i + 3;
    i += 2;
  }
  if (header >= 0 && header < au.length) visit((au[header] ?? 0) & 0x1f, header, au.length);
}

export interface SpsInfo {
  readonly profileIdc: number;
  /** constraint_set0..5 flags and the reserved bits, as one byte. */
  readonly constraints: number;
  readonly levelIdc: number;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  readonly chromaFormat: number;
  readonly bitDepth: number;
  /** Display size: the coded macroblocks minus the SPS cropping window. */
  readonly width: number;
  readonly height: number;
  /** From the VUI timing info, if the encoder wrote it. */
  readonly fps: number | undefined;
  /**
   * max_num_reorder_frames from the VUI: how many pictures a decoder holds back
   * before output. Undefined when the encoder did not say.
   */
  readonly reorderFrames: number | undefined;
}

/** WebCodecs codec string `avc1.PPCCLL` (ISO/IEC 14496-15 / RFC 6381). */
export function avcCodecString(sps: SpsInfo): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `avc1.${hex(sps.profileIdc)}${hex(sps.constraints)}${hex(sps.levelIdc)}`;
}

/** Reads an RBSP bit by bit; the caller has removed emulation-prevention bytes (H.264 and HEVC alike). */
export class BitReader {
  #pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  bit(): number {
    const byte = this.bytes[this.#pos >> 3];
    if (byte === undefined) throw new RangeError('SPS ends early');
    const b = (byte >> (7 - (this.#pos & 7))) & 1;
    this.#pos++;
    return b;
  }
  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  /** Unsigned Exp-Golomb, ue(v). */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros > 31) throw new RangeError('bad Exp-Golomb code in SPS');
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }
  /** Signed Exp-Golomb, se(v). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}

/** Drops the 0x03 of every 00 00 03 sequence, turning a NAL payload into its RBSP. */
export function toRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let n = 0;
  let zeros = 0;
  for (const b of nal) {
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Profiles whose SPS carries chroma format, bit depth and scaling matrices (7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/**
 * Parses a sequence parameter set. `nal` starts at the NAL header byte (type 7).
 * Throws a RangeError on a truncated or malformed SPS.
 */
export function parseSps(nal: Uint8Array): SpsInfo {
  const r = new BitReader(toRbsp(nal.subarray(1)));
  const profileIdc = r.bits(8);
  const constraints = r.bits(8);
  const levelIdc = r.bits(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let bitDepth = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormat = r.ue();
    if (chromaFormat === 3) r.bit(); // separate_colour_plane_flag
    bitDepth = r.ue() + 8;
    r.ue(); // bit_depth_chroma_minus8
    r.bit(); // qpprime_y_zero_transform_bypass_flag
    if (r.bit()) {
      for (let i = 0; i < (chromaFormat === 3 ? 12 : 8); i++) {
        if (r.bit()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.bit();
    r.se();
    r.se();
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.bit(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.bit();
  if (!frameMbsOnly) r.bit(); // mb_adaptive_frame_field_flag
  r.bit(); // direct_8x8_inference_flag
  const crop = r.bit() ? [r.ue(), r.ue(), r.ue(), r.ue()] : [0, 0, 0, 0];
  // Crop units per 7.4.2.1.1: chroma subsampling, doubled vertically for field coding.
  const subW = chromaFormat === 1 || chromaFormat === 2 ? 2 : 1;
  const subH = chromaFormat === 1 ? 2 : 1;
  const cropX = chromaFormat === 0 ? 1 : subW;
  const cropY = (chromaFormat === 0 ? 1 : subH) * (2 - frameMbsOnly);
  const [left = 0, right = 0, top = 0, bottom = 0] = crop;
  const width = widthMbs * 16 - cropX * (left + right);
  const height = (2 - frameMbsOnly) * heightMapUnits * 16 - cropY * (top + bottom);
  const vui = r.bit() ? parseVui(r) : { fps: undefined, reorderFrames: undefined };
  return { profileIdc, constraints, levelIdc, chromaFormat, bitDepth, width, height, ...vui };
}

/** Skips hrd_parameters() (E.1.2). */
function skipHrd(r: BitReader): void {
  const count = r.ue() + 1;
  r.bits(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < count; i++) {
    r.ue();
    r.ue();
    r.bit();
  }
  r.bits(20); // four 5-bit delay and offset lengths
}

/** Reads the VUI (E.1.1) for the frame rate and the reorder depth; fields absent stay undefined. */
function parseVui(r: BitReader): Pick<SpsInfo, 'fps' | 'reorderFrames'> {
  let fps: number | undefined;
  try {
    if (r.bit() && r.bits(8) === 255) r.bits(32); // aspect_ratio_idc, Extended_SAR
    if (r.bit()) r.bit(); // overscan
    if (r.bit()) {
      r.bits(4); // video_format, video_full_range_flag
      if (r.bit()) r.bits(24); // colour primaries, transfer, matrix
    }
    if (r.bit()) {
      r.ue();
      r.ue();
    }
    if (r.bit()) {
      const unitsInTick = r.bits(32);
      const timeScale = r.bits(32);
      r.bit(); // fixed_frame_rate_flag
      // One frame is two ticks (field-based clock, E.2.1).
      if (unitsInTick > 0 && timeScale > 0) fps = timeScale / (2 * unitsInTick);
    }
    const nalHrd = r.bit();
    if (nalHrd) skipHrd(r);
    const vclHrd = r.bit();
    if (vclHrd) skipHrd(r);
    if (nalHrd || vclHrd) r.bit(); // low_delay_hrd_flag
    r.bit(); // pic_struct_present_flag
    if (!r.bit()) return { fps, reorderFrames: undefined };
    r.bit(); // motion_vectors_over_pic_boundaries_flag
    for (let i = 0; i < 4; i++) r.ue(); // max bytes/bits denominators, max mv lengths
    return { fps, reorderFrames: r.ue() };
  } catch {
    return { fps, reorderFrames: undefined };
  }
}

/** The SPS of an access unit (an Annex B buffer), if it carries a readable one. */
export function findSps(au: Uint8Array): SpsInfo | undefined {
  let sps: SpsInfo | undefined;
  forEachNal(au, (type, header, end) => {
    if (type !== NalType.sps || sps) return;
    try {
      sps = parseSps(au.subarray(header, end));
    } catch {
      // Unreadable: the caller falls back to what it knows without it.
    }
  });
  return sps;
}
