import { availableParallelism } from 'node:os';
import { EncodedVideoChunk, VideoDecoder } from 'node-webcodecs';
import type { OperatorFunction } from 'rxjs';
import { type InferFields, t } from '../core/schema.ts';
import { type ComponentContext, defineStage } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';
import { fromNative } from '../core/native-callback.ts';
import { sessionOperator } from '../core/session-operator.ts';
import type { Frame, Packet } from '../core/frame.ts';
import { findSps } from '../codec/h264.ts';
import { DecodeSession, type DecoderFactory, type DecoderLike } from './decode-session.ts';

const options = {
  hardware: t.enum(['no-preference', 'prefer-hardware', 'prefer-software'], {
    doc: 'WebCodecs hardwareAcceleration hint; the static build decodes in software',
    default: 'no-preference',
  }),
  optimizeForLatency: t.boolean({
    doc: 'With worker: slice threads only, so each picture comes out as soon as it is decoded',
    default: true,
  }),
  worker: t.boolean({
    doc: 'Use the node-webcodecs worker-thread decoder (lowest latency); off by default because in 1.3 its error report reads freed memory',
    default: false,
  }),
  queue: t.integer({
    doc: 'Packets queued in the decoder (decodeQueueSize) before the stage waits',
    min: 1,
    max: 64,
    default: 8,
  }),
};

export type DecodeConfig = InferFields<typeof options>;

/**
 * Decodes frames that carry an encoded access unit (`meta.packet`, no pixels yet)
 * into yuv420p pixels with an in-process WebCodecs decoder. Frames that already
 * have pixels pass through untouched; order is always kept.
 */
export const decodeStage = defineStage({
  type: 'decode',
  doc: 'Decode compressed H.264 packets in-process (WebCodecs) into yuv420p frames',
  options,
  create: (config, ctx) => ({
    operator: decodeOperator(config, ctx),
    close: async () => {},
    holdsBack: holdsBack(config),
  }),
});

/**
 * Pictures the decoder may hold back, from the first key frame's SPS: its
 * max_num_reorder_frames if written, else 0 for Baseline (no B-frames) and the
 * H.264 maximum of 16 otherwise. FFmpeg's frame threads delay up to 15 more; only
 * the worker decoder with optimizeForLatency uses slice threads, which do not.
 * Beyond this, missing pictures are lost packets, not late ones.
 */
function maxHeld(config: DecodeConfig, packet: Packet): number {
  const sps = findSps(packet.data);
  const reorder = sps?.reorderFrames ?? (sps?.profileIdc === 66 ? 0 : 16);
  return reorder + (config.worker && config.optimizeForLatency ? 0 : 16);
}

/**
 * Upper bound on frames this stage keeps waiting for a picture: the decoder
 * returns picture k only after later packets arrive (reordering, frame threads).
 * The runner must let the source run this many frames ahead of `maxInFlight`
 * while they carry only packets, or a file with B-frames stalls. They are small:
 * compressed access units, no pixel buffers.
 */
export function holdsBack(config: DecodeConfig): number {
  const frameThreads = Math.min(availableParallelism(), 15);
  return 16 + (config.worker && config.optimizeForLatency ? 0 : frameThreads);
}

/** The operator behind `decodeStage`; `factory` is swappable so tests can fake the decoder. */
export function decodeOperator(
  config: DecodeConfig,
  ctx: ComponentContext,
  factory: DecoderFactory = webCodecsDecoder(config, ctx),
): OperatorFunction<Frame, Frame> {
  return sessionOperator(
    ctx,
    (emit, fail) =>
      new DecodeSession(
        ctx,
        { queue: config.queue, maxHeld: (packet) => maxHeld(config, packet) },
        factory,
        emit,
        fail,
      ),
  );
}

/**
 * Configures a node-webcodecs decoder from the stream's first packet (the first
 * of the run, or the key frame after a discontinuity). The size comes from that
 * key frame's SPS when it has one: after a reconnect it may differ from what
 * the source reported when it opened.
 */
function webCodecsDecoder(config: DecodeConfig, ctx: ComponentContext): DecoderFactory {
  return async (packet, frame, cb) => {
    const sps = packet.codec.startsWith('avc1') ? findSps(packet.data) : undefined;
    const decoderConfig = {
      codec: packet.codec,
      codedWidth: sps?.width ?? frame.width,
      codedHeight: sps?.height ?? frame.height,
      hardwareAcceleration: config.hardware,
      optimizeForLatency: config.optimizeForLatency,
      // The in-thread decoder reports errors and pictures synchronously from
      // decode(); the worker one passes a stack address to its error callback.
      useWorkerThread: config.worker,
    };
    const support = await VideoDecoder.isConfigSupported(decoderConfig);
    if (!support.supported)
      throw new FramewireError(
        'STAGE_FAILED',
        `${ctx.name}: no decoder for codec ${packet.codec}`,
        {
          component: ctx.name,
          hint: `Try hardware: no-preference; node-webcodecs decodes H.264 in software.`,
        },
      );
    const onError = (e: unknown) => cb.error(e instanceof Error ? e : new Error(String(e)));
    // Pictures arrive in native callbacks, outside the stage's call: charged here.
    const output = (f: Parameters<typeof cb.output>[0]) => cb.output(f);
    const open = () => {
      const decoder = new VideoDecoder({
        output: fromNative(ctx.cpu ? ctx.cpu.bind(output) : output, onError),
        error: fromNative((e) => cb.error(e), onError),
      });
      decoder.configure(decoderConfig);
      // Its threads end with it: read them once more first.
      return adapt(decoder, () => ctx.cpu?.readThreads());
    };
    // libavcodec's decoding threads start at configure: they are this stage's.
    return ctx.cpu ? ctx.cpu.claimNewThreads(open) : open();
  };
}

/** Wraps plain chunks into EncodedVideoChunk so the session stays codec-library neutral. */
function adapt(decoder: VideoDecoder, beforeClose: () => void): DecoderLike {
  return {
    get state() {
      return decoder.state;
    },
    get decodeQueueSize() {
      return decoder.decodeQueueSize;
    },
    get ondequeue() {
      return decoder.ondequeue;
    },
    set ondequeue(handler) {
      decoder.ondequeue = handler;
    },
    decode: (chunk) => decoder.decode(new EncodedVideoChunk(chunk)),
    flush: () => decoder.flush(),
    close: () => {
      beforeClose();
      decoder.close();
    },
  };
}
