import { JpegPlayer } from './jpeg-player.ts';
import { MsePlayer } from './mse-player.ts';
import type { OnPicture, Player } from './player.ts';
import { WebCodecsPlayer } from './webcodecs-player.ts';

export type { OnPicture, Picture, Player, VideoMode } from './player.ts';

/**
 * The player for a stream: JPEG pictures decode anywhere; H.264 goes to
 * WebCodecs where the page has it (secure contexts), else to a MediaSource
 * fed fragmented MP4, which plain http allows too.
 */
export function choosePlayer(
  codec: string,
  size: { width: number; height: number },
  onPicture: OnPicture,
  webCodecs: { usable: boolean; onUnusable(): void },
): Player {
  if (codec === 'jpeg') return new JpegPlayer(onPicture);
  if (codec.startsWith('avc1')) {
    if (webCodecs.usable && typeof window.VideoDecoder === 'function') {
      return new WebCodecsPlayer(onPicture, webCodecs.onUnusable);
    }
    const type = `video/mp4; codecs="${codec}"`;
    if (typeof window.MediaSource === 'function' && MediaSource.isTypeSupported(type)) {
      return new MsePlayer(type, size, onPicture);
    }
  }
  return { mode: 'unsupported', push() {}, close() {} };
}
