import { NAL_PPS, NAL_SPS, nalType, splitNals, toLengthPrefixed } from './annexb.ts';
import { fragment, initSegment, TIMESCALE } from './fmp4.ts';
import type { OnPicture, Player } from './player.ts';
import type { VideoPacket } from './protocol.ts';

/** How far behind the newest buffered picture playback may fall before it jumps ahead, seconds. */
const MAX_LAG_S = 0.5;
/** Seconds of played video kept in the SourceBuffer. */
const KEEP_S = 5;

/**
 * H.264 through Media Source Extensions, for pages without WebCodecs: every
 * access unit becomes one MP4 fragment whose decode time is its pts, so the
 * video element's media time names the detections that belong to a picture.
 * Each fragment is written when the next packet arrives, which gives it its
 * exact duration at the price of one frame of delay.
 */
export class MsePlayer implements Player {
  readonly mode = 'mse';
  readonly video: HTMLVideoElement;
  private source: MediaSource | undefined;
  private buffer: SourceBuffer | undefined;
  private pending: Uint8Array[] = [];
  private held: { p: VideoPacket; nals: Uint8Array[] } | undefined;
  private sequence = 1;
  private lastPts = -Infinity;
  private closed = false;

  constructor(
    private readonly type: string,
    private readonly size: { width: number; height: number },
    private readonly onPicture: OnPicture,
  ) {
    this.video = document.createElement('video');
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.className = 'mse-video';
    document.body.append(this.video);
    this.watchFrames();
  }

  push(p: VideoPacket): void {
    if (p.discontinuity || p.pts < this.lastPts) this.restart();
    this.lastPts = p.pts;
    const nals = splitNals(p.data);
    if (!this.source) {
      if (!p.key) return;
      const sps = nals.find((n) => nalType(n) === NAL_SPS);
      const pps = nals.find((n) => nalType(n) === NAL_PPS);
      if (!sps || !pps) return;
      const size = p.width > 0 && p.height > 0 ? p : this.size;
      this.open(initSegment({ width: size.width, height: size.height, sps, pps }));
    }
    if (this.held) {
      const { p: prev, nals: prevNals } = this.held;
      const decodeTime = Math.round((prev.pts * TIMESCALE) / 1e6);
      const next = Math.round((p.pts * TIMESCALE) / 1e6);
      this.append(
        fragment({
          sequence: this.sequence++,
          decodeTime,
          duration: Math.max(1, next - decodeTime),
          key: prev.key,
          sample: toLengthPrefixed(prevNals),
        }),
      );
    }
    this.held = { p, nals };
  }

  private open(init: Uint8Array): void {
    const source = new MediaSource();
    this.source = source;
    this.video.src = URL.createObjectURL(source);
    this.pending = [init];
    source.addEventListener('sourceopen', () => {
      if (this.source !== source) return;
      const buffer = source.addSourceBuffer(this.type);
      buffer.mode = 'segments';
      buffer.addEventListener('updateend', () => this.drain());
      this.buffer = buffer;
      this.drain();
    });
  }

  private append(segment: Uint8Array): void {
    this.pending.push(segment);
    this.drain();
  }

  private drain(): void {
    const buffer = this.buffer;
    if (!buffer || buffer.updating || this.closed) return;
    const ranges = buffer.buffered;
    if (ranges.length > 0) {
      const start = ranges.start(0);
      const end = ranges.end(ranges.length - 1);
      const now = this.video.currentTime;
      if (now < start || end - now > MAX_LAG_S) this.video.currentTime = Math.max(start, end - 0.1);
      if (now - start > 2 * KEEP_S) {
        buffer.remove(start, now - KEEP_S);
        return;
      }
      if (this.video.paused) this.video.play().catch(() => {});
    }
    const next = this.pending.shift();
    if (!next) return;
    try {
      buffer.appendBuffer(next as Uint8Array<ArrayBuffer>);
    } catch {
      // A full or broken buffer: begin again at the next key frame.
      this.restart();
    }
  }

  /** Hands each picture the element shows to the canvas, named by its media time. */
  private watchFrames(): void {
    const video = this.video;
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      if (this.closed) return;
      this.onPicture({
        image: video,
        pts: Math.round(meta.mediaTime * 1e6),
        width: video.videoWidth,
        height: video.videoHeight,
        release: () => {},
      });
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  private restart(): void {
    const old = this.video.src;
    this.source = undefined;
    this.buffer = undefined;
    this.pending = [];
    this.held = undefined;
    this.lastPts = -Infinity;
    this.video.removeAttribute('src');
    this.video.load();
    if (old) URL.revokeObjectURL(old);
  }

  close(): void {
    this.restart();
    this.closed = true;
    this.video.remove();
  }
}
