/** H.264 Annex B access units, as far as the MSE fallback needs them. */

export const NAL_SPS = 7;
export const NAL_PPS = 8;
export const NAL_AUD = 9;

/** The NAL units of an Annex B access unit, start codes removed. */
export function splitNals(au: Uint8Array): Uint8Array[] {
  const starts: { at: number; header: number }[] = [];
  for (let i = 0; i + 2 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1) {
      starts.push({ at: i > 0 && au[i - 1] === 0 ? i - 1 : i, header: i + 3 });
      i += 2;
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]!.at : au.length;
    // Trailing zeros belong to the next start code or padding, never to the NAL unit.
    while (end > s.header && au[end - 1] === 0) end--;
    return au.subarray(s.header, end);
  });
}

export const nalType = (nal: Uint8Array): number => (nal[0] ?? 0) & 0x1f;

/**
 * The access unit as MP4 samples hold it: each NAL unit behind a 4-byte
 * length. Parameter sets and delimiters stay out: the avcC record carries them.
 */
export function toLengthPrefixed(nals: Uint8Array[]): Uint8Array {
  const kept = nals.filter((n) => ![NAL_SPS, NAL_PPS, NAL_AUD].includes(nalType(n)));
  const out = new Uint8Array(kept.reduce((sum, n) => sum + 4 + n.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const n of kept) {
    view.setUint32(at, n.length);
    out.set(n, at + 4);
    at += 4 + n.length;
  }
  return out;
}
