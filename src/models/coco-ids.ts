/**
 * COCO has 80 classes but numbers them with the 91 category ids of the original
 * paper (1 = person … 90 = toothbrush, ten ids unused). torchvision, DETR and the
 * TF Object Detection API emit those ids; Ultralytics and CenterNet emit the
 * contiguous 0..79 index. These tables convert between the two.
 */

/** The category id (1..90) of each contiguous class index 0..79. */
export const COCO80_TO_91: readonly number[] = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31,
  32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56,
  57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85,
  86, 87, 88, 89, 90,
];

const TO_80 = new Int32Array(92).fill(-1);
COCO80_TO_91.forEach((id, i) => {
  TO_80[id] = i;
});

/** The contiguous index 0..79 of a COCO category id, or -1 (background 0, unused ids). */
export function coco91To80(categoryId: number): number {
  return Number.isInteger(categoryId) && categoryId >= 0 && categoryId < 92
    ? TO_80[categoryId]!
    : -1;
}
