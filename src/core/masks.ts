import type { Frame } from './frame.ts';

/**
 * An instance mask: a `height × width` Uint8Array, row-major, value `v` meaning
 * coverage `v / maxValue` (default 1: a 0/1 mask; 255 for soft masks). `space`
 * says what the mask spans: the detection's box (Mask R-CNN's per-box masks,
 * YOLO-seg crops) or the whole source frame (masks pasted at full size).
 */
export interface InstanceMask {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly space: 'box' | 'source';
  readonly maxValue?: number;
}

/**
 * `frame.meta.masks`: the instance masks of `frame.meta.detections`, entry `i`
 * belonging to detection `i` (undefined: that one has none). A stage that
 * selects detections selects masks with the same indices ({@link selectMasks}).
 */
export interface MaskLayer {
  readonly instances: readonly (InstanceMask | undefined)[];
}

/**
 * The frame's instance masks, one entry per detection; undefined when it has
 * none, or when they no longer line up with the detections (a stage selected
 * detections without their masks): drawing those would put masks on the wrong objects.
 */
export function masksOf(frame: Frame): readonly (InstanceMask | undefined)[] | undefined {
  const m = frame.meta.masks?.instances;
  return m && m.length === (frame.meta.detections?.length ?? 0) ? m : undefined;
}

/** The masks of the detections at `indices`, in that order (as `Detections.select`). */
export function selectMasks(layer: MaskLayer, indices: ArrayLike<number>): MaskLayer {
  return { instances: Array.from(indices, (i) => layer.instances[i]) };
}
