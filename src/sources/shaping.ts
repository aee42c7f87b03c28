import { optional, t } from '../core/schema.ts';

/** Output size, rate and pixel format options shared by ffmpeg-backed sources. */
export const shapingOptions = {
  width: optional(
    t.integer({
      doc: 'Scale frames to this width (height follows the aspect if not set)',
      min: 16,
      max: 8192,
    }),
  ),
  height: optional(
    t.integer({
      doc: 'Scale frames to this height (width follows the aspect if not set)',
      min: 16,
      max: 8192,
    }),
  ),
  fps: optional(
    t.number({
      doc: 'Resample to this frame rate (frames are duplicated or dropped by ffmpeg)',
      exclusiveMin: 0,
      max: 1000,
    }),
  ),
  pixelFormat: t.enum(['yuv420p', 'rgb24'], {
    doc: 'Pixel format frames are carried in; yuv420p moves half the bytes of rgb24',
    default: 'yuv420p',
  }),
};

/** ffmpeg video filters for the shaping options (scale keeps even sizes for 4:2:0). */
export function shapingFilters(c: { width?: number; height?: number; fps?: number }): string[] {
  const filters: string[] = [];
  if (c.width !== undefined || c.height !== undefined) {
    filters.push(`scale=${c.width ?? -2}:${c.height ?? -2}`);
  }
  if (c.fps !== undefined) filters.push(`fps=${c.fps}`);
  return filters;
}

/**
 * 4:2:0 frames and H.264 encoders need even sizes: an odd width or height is
 * refused at validation, not mid-run.
 */
export function evenSizeProblems(c: {
  width?: number | undefined;
  height?: number | undefined;
}): { key: string; message: string }[] {
  return (['width', 'height'] as const).flatMap((key) => {
    const value = c[key];
    return value === undefined || value % 2 === 0
      ? []
      : [
          {
            key,
            message: `${key} must be even (4:2:0 video and H.264 need even sizes), got ${value}`,
          },
        ];
  });
}
