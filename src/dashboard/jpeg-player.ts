import type { OnPicture, Player } from './player.ts';
import type { VideoPacket } from './protocol.ts';

/** JPEG pictures (the sink's `video: jpeg`), which any browser decodes. */
export class JpegPlayer implements Player {
  readonly mode = 'jpeg';
  /** Pictures being decoded; newer ones win, older results are dropped. */
  private latest = -Infinity;
  private closed = false;

  constructor(private readonly onPicture: OnPicture) {}

  push(p: VideoPacket): void {
    const pts = p.pts;
    createImageBitmap(new Blob([p.data as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' })).then(
      (bitmap) => {
        if (this.closed || pts < this.latest) return bitmap.close();
        this.latest = pts;
        this.onPicture({
          image: bitmap,
          pts,
          width: bitmap.width,
          height: bitmap.height,
          release: () => bitmap.close(),
        });
      },
      () => {},
    );
  }

  close(): void {
    this.closed = true;
  }
}
