// NMS runs exactly once per detection: decoders of raw outputs return their
// candidates unsuppressed, `decodeDetections` (what the detector runs) suppresses
// them once, and outputs whose graph already ran NMS are not suppressed again.
// Expected boxes are worked out by hand below.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame } from '../src/core/frame.ts';
import { decodeDetections, decoders, type Suppress } from '../src/models/decoders/index.ts';
import type { DecodeOptions, OutputTensor } from '../src/models/decoders/types.ts';
import { Detector } from '../src/models/detector.ts';
import { nms } from '../src/models/nms.ts';
import type { InferenceBackend } from '../src/models/session.ts';
import { type Row, toRows } from './helpers/decode.ts';

/**
 * Candidates in a 64×64 input, as `cx, cy, w, h, class, score`. Class-aware
 * greedy NMS at IoU 0.45, by hand:
 * - A [10,10,30,30] 0.9, class 0: best, kept.
 * - B [12,10,32,30] 0.8, class 0: IoU with A = 18·20 / (400 + 400 − 360) = 0.818, suppressed.
 * - C [12,10,32,30] 0.7, class 1: overlaps A as much, but another class: kept.
 * - D [30,10,50,30] 0.6, class 0: touches A at x = 30 (IoU 0): kept.
 * - E [14,10,34,30] 0.5, class 0: IoU with A = 16·20 / (800 − 320) = 0.667, suppressed.
 * - F [11,11,31,31] 0.1, class 0: below the 0.25 threshold, never a candidate.
 */
const CANDIDATES: [number, number, number, number, number, number][] = [
  [20, 20, 20, 20, 0, 0.9],
  [22, 20, 20, 20, 0, 0.8],
  [22, 20, 20, 20, 1, 0.7],
  [40, 20, 20, 20, 0, 0.6],
  [24, 20, 20, 20, 0, 0.5],
  [21, 21, 20, 20, 0, 0.1],
];
const row = (box: Row['box'], score: number, classId: number): Row => ({ box, score, classId });
const A = row([10, 10, 30, 30], 0.9, 0);
const B = row([12, 10, 32, 30], 0.8, 0);
const C = row([12, 10, 32, 30], 0.7, 1);
const D = row([30, 10, 50, 30], 0.6, 0);
const E = row([14, 10, 34, 30], 0.5, 0);

const OPTS: DecodeOptions = {
  inputWidth: 64,
  inputHeight: 64,
  confidence: 0.25,
  iou: 0.45,
  maxDetections: 100,
  classAgnostic: false,
};

/**
 * YOLOv8 layout `[1, 4+2, N]`, channels first: cx, cy, w, h, then one score per
 * class. N = 400: the candidates, then zero-score anchors (as many as a real grid
 * has, so the layout is unambiguous).
 */
function anchorFreeOutput(): OutputTensor {
  const n = 400;
  const data = new Float32Array(6 * n);
  CANDIDATES.forEach(([cx, cy, w, h, cls, score], i) => {
    [cx, cy, w, h].forEach((v, j) => {
      data[j * n + i] = v;
    });
    data[(4 + cls) * n + i] = score;
  });
  return { name: 'output0', dims: [1, 6, n], data };
}

/** YOLOv5 layout `[1, N, 5+2]`: cx, cy, w, h, objectness 1, class scores. */
function anchorBasedOutput(): OutputTensor {
  const data = new Float32Array(7 * CANDIDATES.length);
  CANDIDATES.forEach(([cx, cy, w, h, cls, score], i) => {
    data.set([cx, cy, w, h, 1], 7 * i);
    data[7 * i + 5 + cls] = score;
  });
  return { name: 'output0', dims: [1, CANDIDATES.length, 7], data };
}

/** YOLOv10 / `nms=True` layout `[1, N, 6]`: x1, y1, x2, y2, score, class, as the graph's NMS left them. */
function end2endOutput(): OutputTensor {
  const rows = [A, B, C, D, E];
  const data = Float32Array.from(rows.flatMap((r) => [...r.box, r.score, r.classId]));
  return { name: 'output0', dims: [1, rows.length, 6], data };
}

/** Rounded so float32 boxes and scores compare with the hand values. */
const rounded = (rows: Row[]) =>
  rows.map((r) => ({
    box: r.box.map((v) => Math.round(v * 1000) / 1000),
    score: Math.round(r.score * 1000) / 1000,
    classId: r.classId,
  }));

/** `nms`, counting its calls. */
function countingNms(): { suppress: Suppress; calls: () => number } {
  let calls = 0;
  return {
    suppress: (...args) => {
      calls++;
      return nms(...args);
    },
    calls: () => calls,
  };
}

const cases: {
  name: string;
  decoder: string;
  output: () => OutputTensor;
  opts?: Partial<DecodeOptions>;
  /** What the decoder alone returns. */
  decoded: Row[];
  /** After `decodeDetections`. */
  detected: Row[];
  nmsCalls: number;
}[] = [
  // Raw rows: every candidate over the threshold comes out of the decoder, in
  // anchor order; NMS, once, keeps A, C (another class) and D.
  {
    name: 'yolo-anchor-free',
    decoder: 'yolo-anchor-free',
    output: anchorFreeOutput,
    decoded: [A, B, C, D, E],
    detected: [A, C, D],
    nmsCalls: 1,
  },
  // The same candidates in the anchor-based layout give the same result.
  {
    name: 'yolo-anchor-based',
    decoder: 'yolo-anchor-based',
    output: anchorBasedOutput,
    decoded: [A, B, C, D, E],
    detected: [A, C, D],
    nmsCalls: 1,
  },
  // Class-agnostic: C is suppressed by A too (IoU 0.818), whatever its class.
  {
    name: 'yolo-anchor-free, class-agnostic',
    decoder: 'yolo-anchor-free',
    output: anchorFreeOutput,
    opts: { classAgnostic: true },
    decoded: [A, B, C, D, E],
    detected: [A, D],
    nmsCalls: 1,
  },
  // NMS ran in the graph: its rows are final, not suppressed a second time.
  {
    name: 'yolo-end2end',
    decoder: 'yolo-end2end',
    output: end2endOutput,
    decoded: [A, B, C, D, E],
    detected: [A, B, C, D, E],
    nmsCalls: 0,
  },
];

for (const c of cases) {
  test(`${c.name}: the decoder returns candidates, NMS runs ${c.nmsCalls} time(s)`, () => {
    const decoder = decoders.get(c.decoder);
    const opts = { ...OPTS, ...c.opts };
    assert.equal(rounded(toRows(decoder.decode([c.output()], opts))), rounded(c.decoded));
    const counting = countingNms();
    const found = decodeDetections(decoder, [c.output()], opts, counting.suppress);
    assert.equal(rounded(toRows(found)), rounded(c.detected));
    assert.is(counting.calls(), c.nmsCalls);
  });
}

/** A backend that returns `output` for every frame, for a 64×64 RGB model with two classes. */
function backend(output: OutputTensor): InferenceBackend {
  return {
    inputs: [{ name: 'images', dims: [1, 3, 64, 64], type: 'float32' }],
    outputs: [{ name: output.name, dims: output.dims, type: 'float32' }],
    metadata: { names: "{0: 'person', 1: 'car'}", imgsz: '[64, 64]' },
    provider: 'fake',
    run: async () => [output],
    close: async () => {},
  };
}

/** A 64×64 frame: letterboxed at scale 1 with no padding, so source pixels are input pixels. */
function frame(): Frame {
  return {
    seq: 0,
    pts: 0,
    time: 0,
    width: 64,
    height: 64,
    format: 'rgb24',
    data: new Uint8Array(64 * 64 * 3),
    sourceId: 'test',
    meta: { timings: {} },
  };
}

test('through the detector: overlapping candidates come out suppressed once, as by hand', async () => {
  const d = await Detector.open({
    model: 'fake.onnx',
    confidence: 0.25,
    iou: 0.45,
    maxDetections: 10,
    backend: backend(anchorFreeOutput()),
  });
  assert.is(d.decoder.name, 'yolo-anchor-free');
  const found = await d.detect(frame());
  assert.equal(
    found.toList().map((x) => [x.box, Math.round(x.score * 100) / 100, x.label]),
    [
      [[10, 10, 30, 30], 0.9, 'person'],
      [[12, 10, 32, 30], 0.7, 'car'],
      [[30, 10, 50, 30], 0.6, 'person'],
    ],
  );
  await d.close();
});

test.run();
