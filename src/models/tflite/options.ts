import type { FbTable } from './flatbuffer.ts';

/**
 * The builtin options tables of the ops the converter handles, by field
 * number in TFLite's schema.fbs. A missing table means every field takes its
 * schema default.
 */

export type Padding = 'SAME' | 'VALID';

/** ActivationFunctionType of schema.fbs: NONE 0, RELU 1, RELU_N1_TO_1 2, RELU6 3, TANH 4, SIGN_BIT 5. */
export type FusedActivation = number;

export interface ConvOptions {
  padding: Padding;
  strides: [number, number];
  dilations: [number, number];
  activation: FusedActivation;
}

const padding = (t: FbTable | undefined): Padding => (t?.u8(0) === 1 ? 'VALID' : 'SAME');

/** Conv2DOptions: padding, stride_w, stride_h, fused_activation_function, dilation_w, dilation_h. */
export function conv2dOptions(t: FbTable | undefined): ConvOptions {
  return {
    padding: padding(t),
    strides: [t?.i32(2) ?? 0, t?.i32(1) ?? 0],
    dilations: [t?.i32(5, 1) ?? 1, t?.i32(4, 1) ?? 1],
    activation: t?.u8(3) ?? 0,
  };
}

/** DepthwiseConv2DOptions: as Conv2D with depth_multiplier at 3, so the rest move up one. */
export function depthwiseOptions(t: FbTable | undefined): ConvOptions & { multiplier: number } {
  return {
    padding: padding(t),
    strides: [t?.i32(2) ?? 0, t?.i32(1) ?? 0],
    dilations: [t?.i32(6, 1) ?? 1, t?.i32(5, 1) ?? 1],
    activation: t?.u8(4) ?? 0,
    multiplier: t?.i32(3) ?? 0,
  };
}

/** Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function. */
export function poolOptions(t: FbTable | undefined): ConvOptions & { kernel: [number, number] } {
  return {
    padding: padding(t),
    strides: [t?.i32(2) ?? 0, t?.i32(1) ?? 0],
    dilations: [1, 1],
    kernel: [t?.i32(4) ?? 0, t?.i32(3) ?? 0],
    activation: t?.u8(5) ?? 0,
  };
}

/** AddOptions and MulOptions: fused_activation_function first. */
export function elementwiseActivation(t: FbTable | undefined): FusedActivation {
  return t?.u8(0) ?? 0;
}

/** ResizeBilinearOptions: new_height, new_width (deprecated), align_corners, half_pixel_centers. */
export function resizeOptions(t: FbTable | undefined): {
  alignCorners: boolean;
  halfPixelCenters: boolean;
} {
  return { alignCorners: t?.bool(2) ?? false, halfPixelCenters: t?.bool(3) ?? false };
}

/**
 * MediaPipe's `Convolution2DTransposeBias` custom op keeps a raw C struct
 * (TfLiteTransposeConvParams) as its custom options: int32 padding
 * (1 SAME, 2 VALID), stride_width, stride_height, little-endian.
 */
export function transposeConvOptions(
  custom: Uint8Array | undefined,
): { padding: Padding; strides: [number, number] } | undefined {
  if (!custom || custom.byteLength < 12) return undefined;
  const view = new DataView(custom.buffer, custom.byteOffset, custom.byteLength);
  const code = view.getInt32(0, true);
  if (code !== 1 && code !== 2) return undefined;
  return {
    padding: code === 1 ? 'SAME' : 'VALID',
    strides: [view.getInt32(8, true), view.getInt32(4, true)],
  };
}
