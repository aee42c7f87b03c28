/**
 * `frame.meta.segmentation`: a semantic map, one class id per pixel of the
 * source frame (row-major), as a segmentation model (U-Net, DeepLab, a person
 * segmenter) labels it. Compact: one byte per pixel for up to 256 classes.
 */
export interface SemanticMap {
  readonly width: number;
  readonly height: number;
  readonly classes: Uint8Array;
  /**
   * Optional (the `segment` stage's `probabilities`): the probability of each
   * pixel's class × 255, rounded, row-major like `classes`; absent for models
   * that output class ids.
   */
  readonly probabilities?: Uint8Array;
  /** Class names by id; an id without a name prints as the id. */
  readonly labels: readonly string[];
}

/** One class's share of a map. */
export interface ClassShare {
  readonly classId: number;
  readonly label: string;
  readonly pixels: number;
  /** pixels / all pixels, rounded to 6 digits. */
  readonly fraction: number;
}

/** The classes present in the map, by id, with their pixel counts and fractions. */
export function classShares(map: SemanticMap): ClassShare[] {
  const counts = new Float64Array(256);
  for (let i = 0; i < map.classes.length; i++) counts[map.classes[i]!]!++;
  const total = map.classes.length;
  const shares: ClassShare[] = [];
  counts.forEach((pixels, classId) => {
    if (pixels === 0) return;
    shares.push({
      classId,
      label: map.labels[classId] || String(classId),
      pixels,
      fraction: Math.round((pixels / total) * 1e6) / 1e6,
    });
  });
  return shares;
}
