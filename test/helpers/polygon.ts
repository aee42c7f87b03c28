/** Fills a polygon (vertices in pixel coordinates) into a width×height 0/1 mask, testing each pixel centre (even-odd rule). */
export function rasterisePolygon(
  vertices: readonly (readonly [number, number])[],
  width: number,
  height: number,
): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5;
      let inside = false;
      for (let i = 0, j = vertices.length - 1; i < vertices.length; j = i++) {
        const [xi, yi] = vertices[i]!;
        const [xj, yj] = vertices[j]!;
        if (yi > cy !== yj > cy && cx < ((xj - xi) * (cy - yi)) / (yj - yi) + xi) inside = !inside;
      }
      mask[y * width + x] = inside ? 1 : 0;
    }
  }
  return mask;
}

/** Intersection over union of two 0/1 masks of the same size. */
export function maskIou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union === 0 ? 1 : inter / union;
}
