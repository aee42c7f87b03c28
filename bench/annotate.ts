import { join } from 'node:path';
import { from, lastValueFrom, type OperatorFunction, toArray } from 'rxjs';
import { systemClock } from '../src/core/clock.ts';
import type { ComponentContext, StageInstance } from '../src/core/component.ts';
import { Detections } from '../src/core/detections.ts';
import { type Frame, frameByteLength } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { silentLogger } from '../src/core/log.ts';
import { threadBudget } from '../src/core/thread-budget.ts';
import { inferenceSessions } from '../src/stages/inference-options.ts';
import { encodeStage } from '../src/stages/encode.ts';
import { overlayStage } from '../src/stages/overlay.ts';
import { ByteTracker } from '../src/tracking/byte-tracker.ts';
import { makeVideo } from '../test/helpers/media.ts';
import { bareInferenceMs, pipelineFps } from './detect.ts';
import type { BenchRow } from './report.ts';

const W = 1280;
const H = 720;
const NAMES = ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck'];

/** `n` objects moving on their own straight paths, with jittering scores. */
function movingObjects(n: number, seq: number, withTracks: boolean): Detections {
  const boxes = new Float32Array(n * 4);
  const scores = new Float32Array(n);
  const classIds = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const cx = 40 + ((k * 97 + seq * (1 + (k % 4))) % (W - 80));
    const cy = 40 + ((k * 53 + seq * (1 + (k % 3))) % (H - 80));
    const w = 30 + (k % 5) * 12;
    const h = 60 + (k % 4) * 15;
    boxes.set([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 4 * k);
    scores[k] = 0.55 + ((seq * 7 + k * 13) % 40) / 100;
    classIds[k] = k % NAMES.length;
  }
  const trackIds = withTracks ? Int32Array.from({ length: n }, (_, k) => k + 1) : undefined;
  return new Detections({
    boxes,
    scores,
    classIds,
    names: NAMES,
    ...(trackIds ? { trackIds } : {}),
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

function frames(pool: FramePool, count: number, boxes: number): Frame[] {
  return Array.from({ length: count }, (_, seq) => {
    const data = pool.acquire(frameByteLength('yuv420p', W, H));
    for (let i = 0; i < W * H; i += 97) data[i] = (i + seq) & 255;
    return {
      seq,
      pts: Math.round((seq * 1e6) / 30),
      time: 0,
      width: W,
      height: H,
      format: 'yuv420p',
      data,
      sourceId: 'bench',
      meta: { timings: {}, detections: movingObjects(boxes, seq, true) },
    } satisfies Frame;
  });
}

/** Milliseconds per frame of a stage driven alone over `count` 720p frames. */
async function stageMs(made: unknown, input: Frame[]): Promise<number> {
  const instance = made as OperatorFunction<Frame, Frame> | StageInstance;
  const operator = typeof instance === 'function' ? instance : instance.operator;
  const t0 = performance.now();
  await lastValueFrom(from(input).pipe(operator, toArray()));
  const ms = (performance.now() - t0) / input.length;
  if (typeof instance !== 'function') await instance.close();
  return ms;
}

export interface CostRow {
  name: string;
  ms: number;
}

export async function annotateBench(dir: string): Promise<{ costs: CostRow[]; rows: BenchRow[] }> {
  const costs: CostRow[] = [];
  const pool = new FramePool(512);

  const overlayConfig = {
    boxes: true,
    labels: true,
    scores: true,
    colorBy: 'auto' as const,
    fontScale: 1,
    trails: 30,
    masks: true,
    maskOpacity: 0.4,
    maskContours: false,
    segmentation: true,
    segmentationOpacity: 0.4,
    hud: true,
  };
  // Warm-up pass first: label text is rasterized once and cached.
  await stageMs(
    await overlayStage.create(overlayConfig as never, context(pool)),
    frames(pool, 30, 20),
  );
  costs.push({
    name: 'overlay, 720p, 20 tracked boxes + labels + trails + HUD',
    ms: await stageMs(
      await overlayStage.create(overlayConfig as never, context(pool)),
      frames(pool, 200, 20),
    ),
  });

  for (const encoder of ['webcodecs', 'ffmpeg'] as const) {
    const config = {
      encoder,
      keyframeInterval: 1,
      latencyMode: 'realtime',
      profile: encoder === 'ffmpeg' ? 'high' : 'baseline',
      hardware: 'prefer-software',
      queue: 8,
    };
    costs.push({
      name: `encode (${encoder}), 720p, realtime`,
      ms: await stageMs(
        await encodeStage.create(config as never, context(pool)),
        frames(pool, 150, 0),
      ),
    });
  }

  for (const n of [10, 100]) {
    const tracker = new ByteTracker();
    const inputs = Array.from({ length: 300 }, (_, seq) => movingObjects(n, seq, false));
    for (let i = 0; i < 30; i++) tracker.update(inputs[i]!, Math.round((i * 1e6) / 30));
    const t0 = performance.now();
    for (let i = 30; i < 300; i++) tracker.update(inputs[i]!, Math.round((i * 1e6) / 30));
    costs.push({ name: `ByteTrack update, ${n} objects`, ms: (performance.now() - t0) / 270 });
  }

  const frameCount = 150;
  const video = await makeVideo(join(dir, 'annotate-720p.mp4'), {
    frames: frameCount,
    size: '1280x720',
    rate: 30,
  });
  // The detect stage at its defaults (the thread budget's sessions), against
  // one bare session with the whole budget's threads.
  const budget = threadBudget({ inference: 1, encode: true });
  const sessions = inferenceSessions({}, { threads: budget });
  const bareMs = await bareInferenceMs(budget.inference, 30);
  const fps = await pipelineFps(
    `source: { type: file, path: ${video} }
stages:
  - { type: detect }
  - { type: track }
  - { type: count, lines: [ { name: middle, from: [640, 720], to: [640, 0] } ] }
  - { type: overlay, hud: true }
  - { type: encode }
sinks:
  - { type: file, path: ${join(dir, 'annotated.mp4')} }
  - { type: jsonl, path: ${join(dir, 'annotated.jsonl')} }
`,
    frameCount,
  );
  return {
    costs,
    rows: [
      {
        name: `annotate-file pipeline (720p, detect at its defaults: ${sessions.instances} × ${sessions.threads} threads) vs bare detection inference (${budget.inference} threads)`,
        a: { label: 'pipeline fps', value: fps },
        b: { label: 'bare inference fps', value: 1000 / bareMs },
        ratio: fps / (1000 / bareMs),
      },
    ],
  };
}
