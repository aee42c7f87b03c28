import { COCO80_TO_91 } from '../coco-ids.ts';
import { COCO80_LABELS } from './coco80.ts';

/**
 * The COCO category-id space (ids 0..90) that torchvision's COCO weights, DETR
 * and the TF Object Detection API emit: `COCO91_LABELS[1]` is "person",
 * `[18]` "dog", `[90]` "toothbrush". Id 0 (background) and the ten ids COCO
 * never assigned (12, 26, 29, 30, 45, 66, 68, 69, 71, 83) are holes, which
 * print as the bare id. Built from the 80 names and their category ids so the
 * two spaces cannot disagree.
 */
export const COCO91_LABELS: readonly string[] = (() => {
  const table: string[] = new Array(91);
  COCO80_TO_91.forEach((id, i) => {
    table[id] = COCO80_LABELS[i]!;
  });
  return Object.freeze(table);
})();
