import { type CocoRle, compressRuns } from './rle.ts';
import { classShares, type SemanticMap } from './segmentation.ts';

/**
 * A semantic map as JSON lines, the WebSocket feed and `segment --json` print
 * it: the size of the source frame and each present class's share, optionally
 * with the class's pixels as COCO RLE of that frame (`mask`).
 */
export interface SegmentationRecord {
  width: number;
  height: number;
  classes: {
    classId: number;
    label: string;
    pixels: number;
    fraction: number;
    mask?: CocoRle;
  }[];
}

export function segmentationRecord(
  map: SemanticMap,
  options: { rle?: boolean } = {},
): SegmentationRecord {
  return {
    width: map.width,
    height: map.height,
    classes: classShares(map).map((s) => ({
      classId: s.classId,
      label: s.label,
      pixels: s.pixels,
      fraction: s.fraction,
      ...(options.rle ? { mask: classRle(map, s.classId) } : {}),
    })),
  };
}

/** The pixels of one class as COCO RLE (column-major runs, starting with 0s). */
export function classRle(map: SemanticMap, classId: number): CocoRle {
  const { width, height, classes } = map;
  const runs: number[] = [];
  let inside = false;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let i = x; i < classes.length; i += width) {
      if ((classes[i] === classId) !== inside) {
        runs.push(run);
        run = 0;
        inside = !inside;
      }
      run++;
    }
  }
  runs.push(run);
  return { size: [height, width], counts: compressRuns(runs) };
}
