/** A stable colour per track id (or class id when untracked), readable on video. */
const PALETTE: [number, number, number][] = [
  [255, 99, 71],
  [64, 196, 255],
  [255, 202, 40],
  [102, 220, 120],
  [206, 124, 255],
  [255, 138, 200],
  [0, 220, 200],
  [255, 160, 60],
  [160, 200, 60],
  [120, 150, 255],
];

export function colorOf(key: number): [number, number, number] {
  return PALETTE[((key % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

export const css = ([r, g, b]: [number, number, number], a = 1): string =>
  `rgba(${r}, ${g}, ${b}, ${a})`;
