import type { FramePool } from './frame-pool.ts';
import { type Frame, frameByteLength } from './frame.ts';
import { type Placement, place } from './geometry.ts';
import { type ResampleTables, resamplePlane, resampleTables } from './resample.ts';

/** Limited-range black, so letterbox bars look black in every player. */
const YUV_BLACK = [16, 128, 128] as const;

interface Plan {
  key: string;
  placement: Placement;
  padded: boolean;
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
 * Scales a frame's pixels to a fixed `width × height`, letterboxed (aspect kept,
 * centred, black bars) or stretched, into a buffer from the pool. The plan is
 * keyed by format and input size and rebuilt only when they change (a live
 * source that came back at another resolution), never per frame. Used by the
 * `resize` stage and by the `encode` stage when a stream changes size.
 */
export class FrameScaler {
  #plan: Plan | undefined;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly mode: 'letterbox' | 'stretch',
    readonly pool: FramePool,
  ) {}

  /** The scaled pixels (the caller owns the buffer) and where the image landed. */
  scale(frame: Frame): { data: Uint8Array; placement: Placement } {
    const key = `${frame.format}:${frame.width}x${frame.height}`;
    if (this.#plan?.key !== key)
      this.#plan = makePlan(frame, this.width, this.height, this.mode, key);
    const plan = this.#plan;
    const out = this.pool.acquire(plan.outBytes);
    for (const p of plan.planes) {
      if (plan.padded) out.fill(p.pad, p.planeStart, p.planeStart + p.planeBytes);
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
    return { data: out, placement: plan.placement };
  }
}

function makePlan(
  frame: Frame,
  width: number,
  height: number,
  mode: 'letterbox' | 'stretch',
  key: string,
): Plan {
  const yuv = frame.format === 'yuv420p';
  const placement = place(frame.width, frame.height, width, height, mode, yuv ? 2 : 1);
  const padded = placement.width !== width || placement.height !== height;
  const outBytes = frameByteLength(frame.format, width, height);
  if (!yuv) {
    const channels = frame.format === 'rgba' ? 4 : 3;
    return {
      key,
      placement,
      padded,
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
  return { key, placement, padded, outBytes, planes: [luma, chroma(0), chroma(1)] };
}
