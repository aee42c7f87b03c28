import { map } from 'rxjs';
import { t } from '../core/schema.ts';
import { defineStage } from '../core/component.ts';
import { type Frame, frameByteLength } from '../core/frame.ts';
import { composeTransform, type Placement, place } from '../core/geometry.ts';
import { type ResampleTables, resamplePlane, resampleTables } from '../core/resample.ts';

/** Limited-range black, so letterbox bars look black in every player. */
const YUV_BLACK = [16, 128, 128] as const;

interface Plan {
  key: string;
  placement: Placement;
  /** One entry per plane (Y, U, V) or a single interleaved RGB plane. */
  planes: {
    tables: ResampleTables;
    srcOffset: number;
    srcStride: number;
    dstOffset: number;
    dstStride: number;
    channels: number;
    pad: number;
    planeStart: number;
    planeBytes: number;
  }[];
  outBytes: number;
}

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
    let plan: Plan | undefined;
    return map((frame: Frame) => {
      if (frame.width === config.width && frame.height === config.height) return frame;
      const key = `${frame.format}:${frame.width}x${frame.height}`;
      // Planned once per input format and size, not per frame.
      if (plan?.key !== key) plan = makePlan(frame, config.width, config.height, config.mode, key);
      const out = ctx.pool.acquire(plan.outBytes);
      const padded =
        plan.placement.width !== config.width || plan.placement.height !== config.height;
      for (const p of plan.planes) {
        if (padded) out.fill(p.pad, p.planeStart, p.planeStart + p.planeBytes);
        resamplePlane(
          p.tables,
          frame.data.subarray(p.srcOffset),
          p.srcStride,
          out,
          p.dstOffset,
          p.dstStride,
          p.channels,
        );
      }
      frame.meta.transform = composeTransform(
        frame.meta.transform,
        plan.placement,
        frame.width,
        frame.height,
      );
      ctx.pool.release(frame.data);
      frame.data = out;
      frame.width = config.width;
      frame.height = config.height;
      return frame;
    });
  },
});

function makePlan(
  frame: Frame,
  width: number,
  height: number,
  mode: 'letterbox' | 'stretch',
  key: string,
): Plan {
  const yuv = frame.format === 'yuv420p';
  const placement = place(frame.width, frame.height, width, height, mode, yuv ? 2 : 1);
  const outBytes = frameByteLength(frame.format, width, height);
  if (!yuv) {
    const channels = frame.format === 'rgba' ? 4 : 3;
    return {
      key,
      placement,
      outBytes,
      planes: [
        {
          tables: resampleTables({
            srcWidth: frame.width,
            srcHeight: frame.height,
            dstWidth: placement.width,
            dstHeight: placement.height,
          }),
          srcOffset: 0,
          srcStride: frame.width * channels,
          dstOffset: (placement.offsetY * width + placement.offsetX) * channels,
          dstStride: width * channels,
          channels,
          pad: 0,
          planeStart: 0,
          planeBytes: outBytes,
        },
      ],
    };
  }
  const cw = Math.ceil(frame.width / 2);
  const ch = Math.ceil(frame.height / 2);
  const dcw = Math.ceil(width / 2);
  const dch = Math.ceil(height / 2);
  const lumaBytes = width * height;
  const luma = {
    tables: resampleTables({
      srcWidth: frame.width,
      srcHeight: frame.height,
      dstWidth: placement.width,
      dstHeight: placement.height,
    }),
    srcOffset: 0,
    srcStride: frame.width,
    dstOffset: placement.offsetY * width + placement.offsetX,
    dstStride: width,
    channels: 1,
    pad: YUV_BLACK[0],
    planeStart: 0,
    planeBytes: lumaBytes,
  };
  const chromaTables = resampleTables({
    srcWidth: cw,
    srcHeight: ch,
    dstWidth: placement.width / 2,
    dstHeight: placement.height / 2,
  });
  const chroma = (i: 0 | 1) => ({
    tables: chromaTables,
    srcOffset: frame.width * frame.height + i * cw * ch,
    srcStride: cw,
    dstOffset: lumaBytes + i * dcw * dch + (placement.offsetY / 2) * dcw + placement.offsetX / 2,
    dstStride: dcw,
    channels: 1,
    pad: YUV_BLACK[i + 1]!,
    planeStart: lumaBytes + i * dcw * dch,
    planeBytes: dcw * dch,
  });
  return { key, placement, outBytes, planes: [luma, chroma(0), chroma(1)] };
}
