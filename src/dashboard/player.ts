import type { VideoPacket } from './protocol.ts';

/** A decoded picture ready to draw; `release` frees it once something newer is shown. */
export interface Picture {
  readonly image: CanvasImageSource;
  readonly pts: number;
  readonly width: number;
  readonly height: number;
  release(): void;
}

export type VideoMode = 'webcodecs' | 'mse' | 'jpeg' | 'unsupported';

/** Turns binary video frames into pictures. */
export interface Player {
  readonly mode: VideoMode;
  push(packet: VideoPacket): void;
  close(): void;
}

export type OnPicture = (picture: Picture) => void;
