import type { OnPicture, Player } from './player.ts';
import type { VideoPacket } from './protocol.ts';

/** Pictures waiting in the decoder before we skip ahead to the next key frame to stay live. */
const MAX_DECODE_QUEUE = 8;

/** H.264 through the browser's own decoder (secure contexts only). */
export class WebCodecsPlayer implements Player {
  readonly mode = 'webcodecs';
  private decoder: VideoDecoder | undefined;
  private codec = '';
  private lastPts = -Infinity;
  private needKey = true;

  /** Decoders that failed in a row; a decoder that ever output a picture resets it. */
  private failures = 0;

  constructor(
    private readonly onPicture: OnPicture,
    /** Called when this browser's WebCodecs cannot decode the stream (no H.264 in the build). */
    private readonly onUnusable: () => void,
  ) {}

  push(p: VideoPacket): void {
    // A new codec, a time jump back (the source looped) or a broken decoder: start over at a key frame.
    if (
      p.codec !== this.codec ||
      p.discontinuity ||
      p.pts < this.lastPts ||
      this.decoder?.state === 'closed'
    ) {
      this.reset();
      this.codec = p.codec;
    }
    this.lastPts = p.pts;
    if (this.decoder && this.decoder.decodeQueueSize > MAX_DECODE_QUEUE) this.needKey = true;
    if (this.needKey && !p.key) return;
    if (!this.decoder) this.decoder = this.open(p.codec);
    this.needKey = false;
    this.decoder.decode(
      new EncodedVideoChunk({ type: p.key ? 'key' : 'delta', timestamp: p.pts, data: p.data }),
    );
  }

  private open(codec: string): VideoDecoder {
    const decoder = new VideoDecoder({
      output: (frame) => {
        this.failures = 0;
        this.onPicture({
          image: frame,
          pts: frame.timestamp,
          width: frame.displayWidth,
          height: frame.displayHeight,
          release: () => frame.close(),
        });
      },
      error: () => {
        this.decoder = undefined;
        this.needKey = true;
        // A corrupt picture fails once; a decoder that never decodes anything is no use here.
        if (++this.failures >= 3) this.onUnusable();
      },
    });
    // No description: the access units are Annex B with SPS and PPS in every key frame.
    decoder.configure({ codec, optimizeForLatency: true });
    return decoder;
  }

  private reset(): void {
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = undefined;
    this.needKey = true;
    this.lastPts = -Infinity;
  }

  close(): void {
    this.reset();
  }
}
