// The detector when a live source comes back at another size: the letterbox is
// recomputed for the new frames (a preprocessor per size), also while a frame
// of the old size is still being inferred, and boxes come back in each frame's
// own source pixels. The backend is a deterministic fake (one fixed box).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame } from '../src/core/frame.ts';
import { Detector } from '../src/models/detector.ts';
import type { InferenceBackend } from '../src/models/session.ts';

/** A YOLOv10-style `[1,1,6]` output: one dog at (10, 26)–(30, 36) in the 64² model input. */
const backend: InferenceBackend = {
  inputs: [{ name: 'images', dims: [1, 3, 64, 64], type: 'float32' }],
  outputs: [{ name: 'output0', dims: [1, 1, 6], type: 'float32' }],
  metadata: { names: "{0: 'person', 1: 'car', 2: 'dog'}", imgsz: '[64, 64]' },
  provider: 'fake',
  run: async () => [
    { name: 'output0', dims: [1, 1, 6], data: Float32Array.from([10, 26, 30, 36, 0.9, 2]) },
  ],
  close: async () => {},
};

function frame(seq: number, width: number, height: number): Frame {
  return {
    seq,
    pts: seq * 40_000,
    time: 0,
    width,
    height,
    format: 'yuv420p',
    data: new Uint8Array(width * height * 1.5).fill(128),
    sourceId: 'test',
    meta: { timings: {} },
  };
}

test('frames of a new size: the letterbox follows each frame, boxes in its own pixels', async () => {
  const d = await Detector.open({
    model: 'fake.onnx',
    confidence: 0.3,
    iou: 0.45,
    maxDetections: 10,
    backend,
  });
  // Pipelined as the stage does: the portrait frame is prepared while the landscape one infers.
  const wide = d.prepare(frame(0, 128, 64));
  const tall = d.prepare(frame(1, 64, 128));
  const wideBoxes = d.finish(wide, await d.infer(wide)).toList();
  const tallBoxes = d.finish(tall, await d.infer(tall)).toList();
  // 128x64 at scale 1/2, 16 rows of padding on top: ((x − 0)/0.5, (y − 16)/0.5).
  assert.equal(wideBoxes[0]!.box, [20, 20, 60, 40]);
  // 64x128 at scale 1/2, 16 columns of padding on the left: ((x − 16)/0.5, y/0.5), clipped at 0.
  assert.equal(tallBoxes[0]!.box, [0, 52, 28, 72]);
  // Back at the first size: the first preprocessor again.
  const again = d.prepare(frame(2, 128, 64));
  assert.equal(d.finish(again, await d.infer(again)).toList()[0]!.box, [20, 20, 60, 40]);
  await d.close();
});

test.run();
