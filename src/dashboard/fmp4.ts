/**
 * The smallest fragmented MP4 a MediaSource plays: one H.264 track, an init
 * segment (ftyp + moov with the avcC record) and one moof + mdat fragment per
 * access unit (ISO/IEC 14496-12 and 14496-15). Written for the dashboard's
 * fallback where WebCodecs is missing, so it knows nothing else.
 */

/** 90 kHz, the usual video clock; pts in microseconds are converted on the way in. */
export const TIMESCALE = 90_000;

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const u16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [
  (n >>> 24) & 0xff,
  (n >>> 16) & 0xff,
  (n >>> 8) & 0xff,
  n & 0xff,
];
const u64 = (n: number): number[] => [...u32(Math.floor(n / 2 ** 32)), ...u32(n >>> 0)];
const zeros = (n: number): number[] => new Array<number>(n).fill(0);
/** The identity transform of tkhd and mvhd. */
const MATRIX = [
  ...u32(0x10000),
  ...u32(0),
  ...u32(0),
  ...u32(0),
  ...u32(0x10000),
  ...u32(0),
  ...u32(0),
  ...u32(0),
  ...u32(0x40000000),
];

function box(type: string, ...parts: (number[] | Uint8Array)[]): Uint8Array {
  const size = 8 + parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(size);
  out.set([...u32(size), ...ascii(type)]);
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A full box: version and flags first. */
const fullBox = (
  type: string,
  version: number,
  flags: number,
  ...parts: (number[] | Uint8Array)[]
) => box(type, [version, (flags >>> 16) & 0xff, (flags >>> 8) & 0xff, flags & 0xff], ...parts);

/** AVCDecoderConfigurationRecord with 4-byte NAL lengths (14496-15 §5.3.3.1). */
export function avcC(sps: Uint8Array, pps: Uint8Array): Uint8Array {
  return box(
    'avcC',
    [1, sps[1] ?? 0, sps[2] ?? 0, sps[3] ?? 0, 0xff, 0xe1, ...u16(sps.length)],
    sps,
    [1, ...u16(pps.length)],
    pps,
  );
}

export function initSegment(opts: {
  width: number;
  height: number;
  sps: Uint8Array;
  pps: Uint8Array;
}): Uint8Array {
  const { width, height } = opts;
  const ftyp = box('ftyp', ascii('isom'), u32(0x200), ascii('isomiso6avc1mp41'));
  const mvhd = fullBox(
    'mvhd',
    0,
    0,
    u32(0),
    u32(0),
    u32(1000),
    u32(0),
    u32(0x10000),
    u16(0x100),
    zeros(10),
    MATRIX,
    zeros(24),
    u32(2),
  );
  const tkhd = fullBox(
    'tkhd',
    0,
    3,
    u32(0),
    u32(0),
    u32(1),
    zeros(4),
    u32(0),
    zeros(8),
    u16(0),
    u16(0),
    u16(0),
    zeros(2),
    MATRIX,
    u32(width * 0x10000),
    u32(height * 0x10000),
  );
  const mdhd = fullBox('mdhd', 0, 0, u32(0), u32(0), u32(TIMESCALE), u32(0), u16(0x55c4), u16(0));
  const hdlr = fullBox('hdlr', 0, 0, u32(0), ascii('vide'), zeros(12), [...ascii('video'), 0]);
  const vmhd = fullBox('vmhd', 0, 1, zeros(8));
  const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
  const avc1 = box(
    'avc1',
    zeros(6),
    u16(1),
    zeros(16),
    u16(width),
    u16(height),
    u32(0x480000),
    u32(0x480000),
    u32(0),
    u16(1),
    zeros(32),
    u16(0x18),
    u16(0xffff),
    avcC(opts.sps, opts.pps),
  );
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), avc1),
    fullBox('stts', 0, 0, u32(0)),
    fullBox('stsc', 0, 0, u32(0)),
    fullBox('stsz', 0, 0, u32(0), u32(0)),
    fullBox('stco', 0, 0, u32(0)),
  );
  const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', vmhd, dinf, stbl)));
  const mvex = box('mvex', fullBox('trex', 0, 0, u32(1), u32(1), u32(0), u32(0), u32(0)));
  return concat([ftyp, box('moov', mvhd, trak, mvex)]);
}

/** One access unit (length-prefixed) as a moof + mdat fragment; times in TIMESCALE units. */
export function fragment(opts: {
  sequence: number;
  decodeTime: number;
  duration: number;
  key: boolean;
  sample: Uint8Array;
}): Uint8Array {
  // Key: depends on no other picture; otherwise depends on others and is no sync sample.
  const flags = opts.key ? 0x02000000 : 0x01010000;
  const moof = (dataOffset: number) =>
    box(
      'moof',
      fullBox('mfhd', 0, 0, u32(opts.sequence)),
      box(
        'traf',
        fullBox('tfhd', 0, 0x020000, u32(1)),
        fullBox('tfdt', 1, 0, u64(opts.decodeTime)),
        fullBox(
          'trun',
          0,
          0x000701,
          u32(1),
          u32(dataOffset),
          u32(opts.duration),
          u32(opts.sample.length),
          u32(flags),
        ),
      ),
    );
  const size = moof(0).length;
  return concat([moof(size + 8), box('mdat', opts.sample)]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
