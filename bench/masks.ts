// Per-frame cost of instance masks at 720p: a YOLOv8-seg head (640 input, 80
// classes, 8400 anchors, 32 prototypes at 160×160) with 20 objects, decoded
// (scan + NMS), their masks taken back through the letterbox onto the source
// frame (`masksToSource`), and written as COCO RLE, as `detect` and the JSON
// sinks do for every frame. Synthetic tensors: the model's own run is not in it.
import { performance } from 'node:perf_hooks';
import { encodeMask } from '../src/core/rle.ts';
import { decodeDetections } from '../src/models/decoders/index.ts';
import { yoloAnchorFreeSeg } from '../src/models/decoders/yolo-seg.ts';
import type { OutputTensor } from '../src/models/decoders/types.ts';
import { computeLetterbox, masksToSource, modelToSource } from '../src/models/letterbox.ts';
import { seededRandom } from '../test/helpers/random.ts';

const INPUT = 640;
const CLASSES = 80;
const P = 32;
const ANCHORS = 8400;
const GRID = INPUT / 4;
const OBJECTS = 20;

function tensors(): OutputTensor[] {
  const random = seededRandom(7);
  const k = 4 + CLASSES + P;
  const head = new Float32Array(k * ANCHORS);
  // 20 objects spread over the frame, each 40–160 × 80–240 model pixels, no overlaps
  // big enough for NMS to merge them; everything else scores 0.
  for (let i = 0; i < OBJECTS; i++) {
    const a = i * 397;
    const w = 40 + random() * 120;
    const h = 80 + random() * 160;
    const cx = 60 + (i % 5) * 130;
    const cy = 100 + Math.floor(i / 5) * 110;
    [cx, cy, w, h].forEach((v, j) => {
      head[j * ANCHORS + a] = v;
    });
    head[(4 + (i % CLASSES)) * ANCHORS + a] = 0.5 + random() * 0.5;
    for (let p = 0; p < P; p++) head[(4 + CLASSES + p) * ANCHORS + a] = random() * 2 - 1;
  }
  const protos = new Float32Array(P * GRID * GRID);
  for (let j = 0; j < protos.length; j++) protos[j] = random() * 2 - 1;
  return [
    { name: 'output0', dims: [1, k, ANCHORS], data: head },
    { name: 'output1', dims: [1, P, GRID, GRID], data: protos },
  ];
}

export interface MaskCost {
  name: string;
  ms: number;
}

export function masksBench(): { costs: MaskCost[]; table: string } {
  const outputs = tensors();
  const opts = {
    inputWidth: INPUT,
    inputHeight: INPUT,
    confidence: 0.25,
    iou: 0.45,
    maxDetections: 100,
    classAgnostic: false,
  };
  const lb = computeLetterbox(1280, 720, INPUT, INPUT, 'letterbox');
  const toSource = modelToSource(lb, 1280, 720, undefined);
  const stages = { decode: [] as number[], masks: [] as number[], rle: [] as number[] };
  let objects = 0;
  for (let round = 0; round < 60; round++) {
    const t0 = performance.now();
    const raw = decodeDetections(yoloAnchorFreeSeg, outputs, opts);
    const t1 = performance.now();
    const masks = masksToSource(raw.masks!, raw.boxes.slice(), lb, toSource, 0.5);
    const t2 = performance.now();
    for (const m of masks) encodeMask(m, 1280, 720);
    const t3 = performance.now();
    objects = masks.length;
    if (round < 10) continue; // warm-up: JIT
    stages.decode.push(t1 - t0);
    stages.masks.push(t2 - t1);
    stages.rle.push(t3 - t2);
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  const costs: MaskCost[] = [
    { name: `YOLOv8-seg head decode + NMS (${objects} objects)`, ms: median(stages.decode) },
    { name: 'masks to source pixels (letterbox undone, 1280×720)', ms: median(stages.masks) },
    { name: 'COCO RLE of every mask', ms: median(stages.rle) },
  ];
  costs.push({ name: 'total', ms: costs.reduce((s, c) => s + c.ms, 0) });
  const table = [
    '| per-frame cost, 720p | ms |',
    '| --- | ---: |',
    ...costs.map((c) => `| ${c.name} | ${c.ms.toFixed(2)} |`),
  ].join('\n');
  return { costs, table };
}
