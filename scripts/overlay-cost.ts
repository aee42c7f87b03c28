/**
 * Per-frame cost of the overlay at 720p: 20 tracked boxes with labels (scores
 * changing every frame) and 30-point trails, in yuv420p and rgb24, plus the
 * same with masks, counting regions and the HUD on. Detections are built before
 * timing; only `annotate` is timed. Also reports garbage collections during the
 * timed frames and strings rasterized after warm-up (both should be ~0).
 *
 *     node --import tsx scripts/overlay-cost.ts [frames]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { Clock } from '../src/core/clock.ts';
import { systemClock } from '../src/core/clock.ts';
import { Detections } from '../src/core/detections.ts';
import { type Frame, frameByteLength, type PixelFormat } from '../src/core/frame.ts';
import { Annotator, type AnnotatorOptions } from '../src/overlay/annotator.ts';

const FRAMES = Number(process.argv[2] ?? 1000);
const WARMUP = 200;
const W = 1280;
const H = 720;
const BOXES = 20;
const NAMES = ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck'];

/** 20 objects moving on their own paths; scores wander so label texts change. */
function detectionsAt(seq: number, withMasks: boolean): Detections {
  const boxes = new Float32Array(BOXES * 4);
  const scores = new Float32Array(BOXES);
  const classIds = new Int32Array(BOXES);
  const trackIds = new Int32Array(BOXES);
  for (let k = 0; k < BOXES; k++) {
    const cx = 80 + ((k * 61 + seq * (2 + (k % 5))) % (W - 160));
    const cy = 120 + ((k * 37 + seq * (1 + (k % 3))) % (H - 240));
    const w = 60 + (k % 4) * 30;
    const h = 120 + (k % 3) * 40;
    boxes.set([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 4 * k);
    scores[k] = 0.3 + ((seq * 7 + k * 13) % 70) / 100;
    classIds[k] = k % NAMES.length;
    trackIds[k] = k + 1;
  }
  const d = new Detections({ boxes, scores, classIds, names: NAMES, trackIds });
  if (withMasks) {
    // Mask R-CNN style 28×28 per-box soft masks.
    const m = new Uint8Array(28 * 28);
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        m[y * 28 + x] = (x - 13.5) ** 2 / 196 + (y - 13.5) ** 2 / 196 < 1 ? 1 : 0;
      }
    Object.assign(d, {
      masks: Array.from({ length: BOXES }, () => ({
        data: m,
        width: 28,
        height: 28,
        space: 'box',
      })),
    });
  }
  return d;
}

const BASE: AnnotatorOptions = {
  boxes: true,
  labels: true,
  scores: true,
  colorBy: 'auto',
  fontScale: 1,
  trails: 30,
  masks: true,
  maskOpacity: 0.4,
  maskContours: false,
  segmentation: true,
  segmentationOpacity: 0.4,
  hud: false,
};

interface Case {
  name: string;
  format: PixelFormat;
  options: AnnotatorOptions;
  masks: boolean;
}
const cases: Case[] = [
  { name: 'boxes + labels + trails', format: 'yuv420p', options: BASE, masks: false },
  { name: 'boxes + labels + trails', format: 'rgb24', options: BASE, masks: false },
  {
    name: '… + 28×28 masks + line + zone + HUD',
    format: 'yuv420p',
    options: {
      ...BASE,
      hud: true,
      lines: [{ name: 'door', from: [0, 500], to: [1280, 520] }],
      zones: [
        {
          name: 'lobby',
          polygon: [
            [100, 100],
            [500, 120],
            [480, 400],
            [120, 380],
          ],
        },
      ],
    },
    masks: true,
  },
];

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

console.log(
  `overlay per-frame cost, ${W}×${H}, ${BOXES} boxes, ${FRAMES} frames after ${WARMUP} warm-up`,
);
console.log('| case | format | CPU ms/frame | mean ms | p50 ms | p95 ms | GCs | new texts |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const c of cases) {
  const total = WARMUP + FRAMES;
  const dets = Array.from({ length: total }, (_, i) => detectionsAt(i, c.masks));
  const data = new Uint8Array(frameByteLength(c.format, W, H)).fill(128);
  let virtual = 0;
  const clock: Clock = { ...systemClock, now: () => (virtual += 40) };
  const annotator = new Annotator(c.options, clock);
  const frame: Frame = {
    seq: 0,
    pts: 0,
    time: Date.UTC(2026, 0, 1),
    width: W,
    height: H,
    format: c.format,
    data,
    sourceId: 'bench',
    meta: {
      timings: {},
      counts: {
        lines: { door: { in: 4, out: 2 } },
        zones: {
          lobby: {
            occupancy: 3,
            entered: 9,
            exited: 6,
            inside: [1, 2, 3].map((trackId) => ({ trackId, seconds: 1 })),
          },
        },
        // The overlay draws its own lines and zones (options above).
        geometry: { lines: [], zones: [] },
      },
    },
  };
  const times = new Float64Array(FRAMES);
  let rasterizedAtWarm = 0;
  let gcsAtWarm = 0;
  let cpuAtWarm = process.cpuUsage();
  for (let i = 0; i < total; i++) {
    (frame as { seq: number }).seq = i;
    frame.meta.detections = dets[i];
    if (i === WARMUP) {
      rasterizedAtWarm = annotator.text!.rasterized;
      await new Promise((r) => setTimeout(r, 10)); // let the observer report warm-up GCs
      gcsAtWarm = gcs;
      cpuAtWarm = process.cpuUsage();
    }
    const t0 = performance.now();
    annotator.annotate(frame);
    const dt = performance.now() - t0;
    if (i >= WARMUP) times[i - WARMUP] = dt;
  }
  const cpu = process.cpuUsage(cpuAtWarm);
  const cpuMs = (cpu.user + cpu.system) / 1000 / FRAMES;
  await new Promise((r) => setTimeout(r, 10));
  const sorted = Float64Array.from(times).sort();
  const mean = times.reduce((a, b) => a + b, 0) / FRAMES;
  const q = (p: number) => sorted[Math.min(FRAMES - 1, Math.floor(p * FRAMES))]!;
  console.log(
    `| ${c.name} | ${c.format} | ${cpuMs.toFixed(3)} | ${mean.toFixed(3)} | ${q(0.5).toFixed(3)} | ${q(0.95).toFixed(3)} | ${gcs - gcsAtWarm} | ${annotator.text!.rasterized - rasterizedAtWarm} |`,
  );
}
