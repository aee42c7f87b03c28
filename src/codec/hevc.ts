import { BitReader, toRbsp } from './h264.ts';

/** HEVC NAL unit types framewire looks at (ITU-T H.265 table 7-1). */
export const HevcNalType = { vps: 32, sps: 33, pps: 34, aud: 35 } as const;

/** nal_unit_type from the first header byte (HEVC headers are two bytes). */
export function hevcNalType(firstHeaderByte: number): number {
  return (firstHeaderByte >> 1) & 0x3f;
}

/** IRAP pictures (BLA, IDR, CRA: types 16–21): a decoder can start at one. */
export function isHevcKeyNal(type: number): boolean {
  return type >= 16 && type <= 21;
}

export interface HevcSpsInfo {
  /** WebCodecs codec string, `hev1.P.C.TL.B…` (ISO/IEC 14496-15, annex E). */
  readonly codec: string;
  /** Display size: the coded size minus the conformance window. */
  readonly width: number;
  readonly height: number;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  readonly chromaFormat: number;
  readonly bitDepth: number;
}

/**
 * Parses an HEVC sequence parameter set as far as the size and bit depth
 * (7.3.2.2). `nal` starts at the two-byte NAL header. Throws a RangeError on a
 * truncated one.
 */
export function parseHevcSps(nal: Uint8Array): HevcSpsInfo {
  const r = new BitReader(toRbsp(nal.subarray(2)));
  r.bits(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.bits(3);
  r.bits(1); // sps_temporal_id_nesting_flag
  // profile_tier_level(1, maxSubLayersMinus1)
  const profileSpace = r.bits(2);
  const tier = r.bits(1);
  const profileIdc = r.bits(5);
  let compatibility = 0;
  for (let i = 0; i < 32; i++) compatibility = compatibility * 2 + r.bit();
  const constraints: number[] = [];
  for (let i = 0; i < 6; i++) constraints.push(r.bits(8));
  const levelIdc = r.bits(8);
  const subLayers: { profile: boolean; level: boolean }[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++)
    subLayers.push({ profile: r.bit() === 1, level: r.bit() === 1 });
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) r.bits(2);
  for (const s of subLayers) {
    if (s.profile) for (let i = 0; i < 11; i++) r.bits(8);
    if (s.level) r.bits(8);
  }
  r.ue(); // sps_seq_parameter_set_id
  const chromaFormat = r.ue();
  if (chromaFormat === 3) r.bit(); // separate_colour_plane_flag
  let width = r.ue();
  let height = r.ue();
  if (r.bit() === 1) {
    // Conformance window offsets are in chroma samples.
    const subW = chromaFormat === 1 || chromaFormat === 2 ? 2 : 1;
    const subH = chromaFormat === 1 ? 2 : 1;
    const [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
    width -= subW * (left + right);
    height -= subH * (top + bottom);
  }
  const bitDepth = r.ue() + 8;
  return {
    codec: hevcCodecString(profileSpace, tier, profileIdc, compatibility, constraints, levelIdc),
    width,
    height,
    chromaFormat,
    bitDepth,
  };
}

/** `hev1.[A-C]profile.compat.[LH]level.constraints` with the compatibility bits reversed and trailing zero bytes dropped. */
function hevcCodecString(
  space: number,
  tier: number,
  profile: number,
  compatibility: number,
  constraints: readonly number[],
  level: number,
): string {
  let reversed = 0;
  for (let i = 0; i < 32; i++) reversed = reversed * 2 + ((compatibility >>> i) & 1);
  const bytes = [...constraints];
  while (bytes.length > 1 && bytes.at(-1) === 0) bytes.pop();
  const spaceLetter = ['', 'A', 'B', 'C'][space] ?? '';
  return [
    'hev1',
    `${spaceLetter}${profile}`,
    reversed.toString(16).toUpperCase(),
    `${tier ? 'H' : 'L'}${level}`,
    ...bytes.map((b) => b.toString(16).toUpperCase()),
  ].join('.');
}
