import { from, lastValueFrom, type OperatorFunction, toArray } from 'rxjs';
import { systemClock } from '../src/core/clock.ts';
import type { ComponentContext } from '../src/core/component.ts';
import { Detections } from '../src/core/detections.ts';
import { type Frame, frameByteLength } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { silentLogger } from '../src/core/log.ts';
import type { InstanceMask } from '../src/core/masks.ts';
import type { SemanticMap } from '../src/core/segmentation.ts';
import { effectsStage } from '../src/stages/effects.ts';
import { overlayStage } from '../src/stages/overlay.ts';

const W = 1280;
const H = 720;
const FRAMES = 120;

export interface EffectCost {
  name: string;
  ms: number;
}

/** A person ellipse covering 30% of the frame (π·a·b = 0.3·W·H), on background. */
function personMap(): SemanticMap {
  const classes = new Uint8Array(W * H);
  const a = 0.3 * W;
  const b = H / Math.PI;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const dx = (x - W / 2) / a;
      const dy = (y - H / 2) / b;
      if (dx * dx + dy * dy <= 1) classes[y * W + x] = 1;
    }
  return { width: W, height: H, classes, labels: ['background', 'person'] };
}

/** 20 instances with elliptical masks, 60–140 px wide, spread over the frame. */
function instances(): Detections {
  const n = 20;
  const boxes = new Float32Array(4 * n);
  const masks: InstanceMask[] = [];
  for (let k = 0; k < n; k++) {
    const w = 60 + (k % 5) * 20;
    const h = 120 + (k % 4) * 30;
    const x = 20 + ((k * 211) % (W - w - 40));
    const y = 20 + ((k * 137) % (H - h - 40));
    boxes.set([x, y, x + w, y + h], 4 * k);
    const data = new Uint8Array(w * h);
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++) {
        const dx = (c + 0.5 - w / 2) / (w / 2);
        const dy = (r + 0.5 - h / 2) / (h / 2);
        if (dx * dx + dy * dy <= 1) data[r * w + c] = 1;
      }
    masks.push({ x, y, width: w, height: h, data });
  }
  return new Detections({
    boxes,
    scores: new Float32Array(n).fill(0.9),
    classIds: Int32Array.from({ length: n }, (_, k) => k % 3),
    names: ['person', 'car', 'dog'],
    masks,
  });
}

function context(pool: FramePool): ComponentContext {
  return {
    name: 'bench',
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
    pool,
    count: () => {},
    report: () => {},
    health: () => {},
    stream: { width: W, height: H, format: 'yuv420p', fps: 30, frames: undefined, live: false },
  };
}

/** 720p yuv420p frames of busy content (so blurs and means are real work), with `meta`. */
function frames(meta: Partial<Frame['meta']>): Frame[] {
  const template = new Uint8Array(frameByteLength('yuv420p', W, H));
  for (let i = 0; i < template.length; i++) template[i] = (i * 37 + (i >> 11)) & 255;
  return Array.from({ length: FRAMES }, (_, seq) => ({
    seq,
    pts: Math.round((seq * 1e6) / 30),
    time: 0,
    width: W,
    height: H,
    format: 'yuv420p' as const,
    data: template.slice(),
    sourceId: 'bench',
    meta: { timings: {}, ...meta },
  }));
}

/** Milliseconds per frame of a stage over the frames, after a warm-up pass of 20. */
async function stageMs(
  make: () => Promise<unknown>,
  meta: Partial<Frame['meta']>,
): Promise<number> {
  const warm = (await make()) as OperatorFunction<Frame, Frame>;
  await lastValueFrom(from(frames(meta).slice(0, 20)).pipe(warm, toArray()));
  const op = (await make()) as OperatorFunction<Frame, Frame>;
  const input = frames(meta);
  const t0 = performance.now();
  await lastValueFrom(from(input).pipe(op, toArray()));
  return (performance.now() - t0) / input.length;
}

const OVERLAY = {
  boxes: false,
  labels: false,
  scores: true,
  colorBy: 'class' as const,
  fontScale: 1,
  trails: 0,
  masks: true,
  maskOpacity: 0.4,
  maskContours: false,
  segmentation: true,
  segmentationOpacity: 0.4,
  hud: false,
};

const EFFECTS: Parameters<typeof effectsStage.create>[0] = {
  effect: 'blur',
  target: 'classes',
  classes: ['person'],
  boxes: false,
  strength: 16,
  blockSize: 16,
  color: '#000000',
};

export async function effectsBench(): Promise<EffectCost[]> {
  const pool = new FramePool(8);
  const ctx = context(pool);
  const segmentation = personMap();
  const detections = instances();
  const overlay = (o: Partial<typeof OVERLAY>) => () =>
    Promise.resolve(overlayStage.create({ ...OVERLAY, ...o } as never, ctx));
  const effects = (o: Partial<typeof EFFECTS>) => () =>
    Promise.resolve(effectsStage.create({ ...EFFECTS, ...o } as never, ctx));
  const cases: [string, () => Promise<unknown>, Partial<Frame['meta']>][] = [
    ['overlay: semantic tint, person map (30% of the frame)', overlay({}), { segmentation }],
    ['overlay: 20 instance masks, alpha 0.4', overlay({}), { detections }],
    ['overlay: 20 instance masks + contours', overlay({ maskContours: true }), { detections }],
    ['effects: blur (radius 16) of the person (30%)', effects({}), { segmentation }],
    [
      'effects: pixelate (16 px blocks) of the person',
      effects({ effect: 'pixelate' }),
      { segmentation },
    ],
    ['effects: replace the person with a colour', effects({ effect: 'replace' }), { segmentation }],
    [
      'effects: blur the background (70%, virtual background)',
      effects({ target: 'background' }),
      { segmentation },
    ],
    [
      'effects: replace the background with a colour',
      effects({ effect: 'replace', target: 'background' }),
      { segmentation },
    ],
  ];
  const costs: EffectCost[] = [];
  for (const [name, make, meta] of cases) {
    costs.push({ name, ms: await stageMs(make, meta) });
    console.log(`${name}: ${costs.at(-1)!.ms.toFixed(2)} ms`);
  }
  return costs;
}
