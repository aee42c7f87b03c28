import type { CocoRle } from './rle.ts';

/** One detection in source-frame pixels; the JSON shape of the output contracts. */
export interface Detection {
  box: [number, number, number, number];
  score: number;
  /**
   * The class id exactly as the model emitted it, never remapped; it is also the
   * index of `label` in the model's label space (coco80: person = 0; coco91, the
   * COCO category ids of torchvision and TF models: person = 1).
   */
  classId: number;
  label: string;
  trackId?: number;
  /**
   * Present (and true) only when no model ran on this frame (`detect`'s
   * `interval`): the box is the last inferred one carried forward, or the
   * tracker's prediction for this frame.
   */
  predicted?: true;
  /** The instance mask over the whole source frame, when the model makes masks. */
  mask?: CocoRle;
}
