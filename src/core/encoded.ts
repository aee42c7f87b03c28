import type { Frame, Packet } from './frame.ts';

/**
 * What a WebCodecs `VideoDecoder` (or an MP4 `avc1` sample entry) needs to read an
 * H.264 stream whose access units are length-prefixed: the `avcC` record. Mirrors
 * WebCodecs' `VideoDecoderConfig` so it can be passed to `configure()` as is.
 */
export interface AvcDecoderConfig {
  /** `avc1.PPCCLL`, read from the stream's own SPS (not what the encoder was asked for). */
  readonly codec: string;
  /** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1), 4-byte NAL lengths. */
  readonly description: Uint8Array;
  readonly codedWidth: number;
  readonly codedHeight: number;
}

/**
 * Set by the `encode` stage as `frame.meta.encoded`; the frame's pixels stay as
 * they were, so later sinks can still draw or re-encode them.
 *
 * `packet.data` is Annex B (start codes), and every key frame carries its SPS
 * and PPS in band, so a consumer can start at any key frame without the
 * description (RTSP, the decode stage). Length-prefixed consumers (MP4, a
 * WebCodecs decoder configured with `description`) convert with
 * `annexBToLengthPrefixed` from `avc.ts`.
 */
export interface EncodedVideo {
  readonly packet: Packet;
  /** Present on every key frame, so a consumer joining mid-stream can configure itself there. */
  readonly decoderConfig?: AvcDecoderConfig;
}

/** The frame's encoded access unit, when an `encode` stage ran on it. */
export function encodedOf(frame: Frame): EncodedVideo | undefined {
  return frame.meta.encoded;
}
