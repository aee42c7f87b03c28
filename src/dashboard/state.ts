import type { VideoMode } from './players.ts';

/**
 * What the page has done, for people debugging it and for the browser test:
 * `window.__framewire` is a read-only view of this (every read is a frozen copy).
 */
export interface DashboardState {
  connected: boolean;
  /** Hello messages received: one per connection, so a reconnect shows as +1. */
  hellos: number;
  pipeline: string;
  /** How video is decoded: WebCodecs, the MSE fallback, JPEG, or not at all. */
  videoMode: VideoMode | 'none';
  /** Video pictures drawn on the canvas. */
  pictures: number;
  detectionMessages: number;
  /** Boxes drawn on the last frame, and the pts of that frame and of its detections. */
  lastFrame: {
    pts: number;
    boxes: number;
    /** Those boxes on the canvas, `[x1, y1, x2, y2]` in canvas pixels. */
    rects: [number, number, number, number][];
    detectionsPts: number | undefined;
  };
  /** Pictures drawn per second, measured in the page over the last second. */
  fps: number;
  /** The latest stats message's components, as received. */
  stages: number;
}

export function initialState(): DashboardState {
  return {
    connected: false,
    hellos: 0,
    pipeline: '',
    videoMode: 'none',
    pictures: 0,
    detectionMessages: 0,
    lastFrame: { pts: -1, boxes: 0, rects: [], detectionsPts: undefined },
    fps: 0,
    stages: 0,
  };
}

export function expose(state: DashboardState): void {
  Object.defineProperty(window, '__framewire', {
    get: () => Object.freeze(structuredClone(state)),
    configurable: false,
  });
}
