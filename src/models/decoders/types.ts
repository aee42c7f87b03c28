/**
 * The contract between the `detect` stage and the per-family output decoders.
 * A decoder turns the raw tensors of one model family into boxes, scores and class
 * ids; it knows nothing about frames, letterboxing or labels.
 */

/** One output tensor as onnxruntime returns it; decoders convert element types as needed. */
export interface OutputTensor {
  name: string;
  dims: readonly number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

/** How the `single-object` decoder reads its box head. */
export type BoxFormat = 'xyxy-normalized' | 'xyxy' | 'cxcywh-normalized' | 'cxcywh';

export interface DecodeOptions {
  /** Model input size in pixels; normalized boxes are scaled by it. */
  inputWidth: number;
  inputHeight: number;
  /** Score threshold: candidates scoring below it are dropped before NMS. */
  confidence: number;
  /** IoU threshold of the NMS run once after decoders whose outputs need it (`needsNms`). */
  iou: number;
  maxDetections: number;
  /** That NMS suppresses across classes (true) or only within each class (false). */
  classAgnostic: boolean;
  /** Number of classes, when the layout cannot tell (or to check it). */
  numClasses?: number;
  /** Anchor (w, h) pairs in input pixels, flattened, one list per stride level. */
  anchors?: number[][];
  strides?: number[];
  /** `single-object` only: the box head's format (default `xyxy-normalized`). */
  boxFormat?: BoxFormat;
}

/** Decoders return boxes in MODEL-INPUT pixels (x1,y1,x2,y2); the caller undoes the letterbox in one place. */
export interface RawDetections {
  boxes: Float32Array;
  scores: Float32Array;
  classIds: Int32Array;
  /** Instance-segmentation families: the masks in model space, one per detection. */
  masks?: RawMasks;
}

/**
 * Instance masks as a decoder finds them, in model space, one per detection.
 * They stay in this form through NMS (`selectRawMasks`) and become source-pixel
 * bitmaps only for the detections kept, in one place (`masksToSource`, letterbox.ts).
 */
export type RawMasks =
  /**
   * YOLO-seg: mask logits = `coefficients[i] · protos`, over a
   * `width × height` grid spanning the whole model input (160×160 for 640).
   */
  | {
      kind: 'prototypes';
      /** `N × channels`, row per detection. */
      coefficients: Float32Array;
      /** `channels × height × width`. */
      protos: Float32Array;
      channels: number;
      width: number;
      height: number;
    }
  /**
   * Mask R-CNN: per detection a `width × height` grid of probabilities
   * (after sigmoid) spanning that detection's box.
   */
  | {
      kind: 'box';
      /** `N × height × width`. */
      probabilities: Float32Array;
      width: number;
      height: number;
    };

/** An output's name and declared shape (symbolic dimensions are strings), as sessions report them. */
export interface OutputSignature {
  name: string;
  dims: readonly (number | string)[];
}

/** The model's input size in pixels, which some families' output shapes follow. */
export interface InputSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Preprocessing a family's own training pipeline used, applied where the
 * descriptor says nothing (an explicit descriptor value always wins).
 */
export interface PreprocessDefaults {
  readonly pad?: 'center' | 'top-left';
  readonly scale?: number;
  readonly colorOrder?: 'RGB' | 'BGR';
  /** Per channel, RGB order, after `scale`. */
  readonly mean?: readonly [number, number, number];
  readonly std?: readonly [number, number, number];
}

export interface Decoder {
  name: string;
  /** One line for `framewire models` and error messages. */
  doc?: string;
  /**
   * Does this output set look like my family? `meta` is the model's metadata
   * (may be empty); `input` the model's input size, when known.
   */
  matches(
    outputs: readonly OutputSignature[],
    meta: Record<string, string>,
    input?: InputSize,
  ): boolean;
  /** See PreprocessDefaults. */
  readonly preprocess?: PreprocessDefaults;
  /**
   * Whether `decode` returns candidates that still need NMS (raw outputs: every
   * candidate above the score threshold, unsuppressed), or final detections
   * (NMS ran in the graph, or the family needs none), best first and capped.
   * NMS runs exactly once, in `decodeDetections`, never inside a decoder.
   */
  readonly needsNms: boolean;
  decode(outputs: readonly OutputTensor[], opts: DecodeOptions): RawDetections;
}
