/** Which point of a box stands for the object when testing lines and zones. */
export type Anchor = 'bottom-center' | 'center';

/**
 * The anchor point of box `i` of a flattened `[x1, y1, x2, y2]` array.
 * `bottom-center` (the default) is where a person or a car touches the ground,
 * so a line drawn on the floor is crossed when the feet cross it, whatever the
 * box height; `center` suits top-down views.
 */
export function anchorPoint(boxes: ArrayLike<number>, i: number, anchor: Anchor): [number, number] {
  const x1 = boxes[i * 4]!;
  const y1 = boxes[i * 4 + 1]!;
  const x2 = boxes[i * 4 + 2]!;
  const y2 = boxes[i * 4 + 3]!;
  return [(x1 + x2) / 2, anchor === 'center' ? (y1 + y2) / 2 : y2];
}
