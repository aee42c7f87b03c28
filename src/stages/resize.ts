import { map } from 'rxjs';
import { t } from '../core/schema.ts';
import { defineStage } from '../core/component.ts';
import type { Frame } from '../core/frame.ts';
import { FrameScaler } from '../core/frame-scaler.ts';
import { composeTransform } from '../core/geometry.ts';

/**
 * Scales frames to `width × height`, letterboxed (aspect kept, centred, black
 * bars) or stretched. The transform back to source pixels is composed onto the
 * frame so later stages can report boxes in source-frame coordinates.
 */
export const resizeStage = defineStage({
  type: 'resize',
  doc: 'Scale frames to a size, letterboxed or stretched, remembering the way back to source pixels',
  options: {
    width: t.integer({ doc: 'Output width in pixels (even)', min: 2, max: 8192 }),
    height: t.integer({ doc: 'Output height in pixels (even)', min: 2, max: 8192 }),
    mode: t.enum(['letterbox', 'stretch'], {
      doc: 'letterbox keeps the aspect ratio and pads; stretch fills the frame',
      default: 'letterbox',
    }),
  },
  // Frames are 4:2:0 (colour at half the size) and H.264 encoders reject odd
  // sizes: an odd size would validate and then fail at the encoder, mid-run.
  check(config) {
    return (['width', 'height'] as const).flatMap((key) =>
      config[key] % 2 === 0
        ? []
        : [
            {
              key,
              message: `${key} must be even (4:2:0 video and H.264 need even sizes), got ${config[key]}`,
            },
          ],
    );
  },
  create(config, ctx) {
    // Planned once per input format and size (see FrameScaler), not per frame.
    const scaler = new FrameScaler(config.width, config.height, config.mode, ctx.pool);
    return map((frame: Frame) => {
      if (frame.width === config.width && frame.height === config.height) return frame;
      const { data, placement } = scaler.scale(frame);
      frame.meta.transform = composeTransform(
        frame.meta.transform,
        placement,
        frame.width,
        frame.height,
      );
      ctx.pool.release(frame.data);
      frame.data = data;
      frame.width = config.width;
      frame.height = config.height;
      return frame;
    });
  },
});
