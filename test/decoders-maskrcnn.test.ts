/** torchvision Mask R-CNN on a synthetic export: per-box 28×28 masks pasted into their boxes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseDecoder, decodeDetections } from '../src/models/decoders/index.ts';
import { masksToSource } from '../src/models/letterbox.ts';
import { runConstantModel } from './helpers/onnx-build.ts';

test('torchvision Mask R-CNN: masks follow their boxes through sorting and are pasted per box', async () => {
  const M = 28;
  // Detection 0 (score 0.6): box 0..56 × 0..28, mask = left half of its grid (14 columns → 28 px).
  // Detection 1 (score 0.9): box 28..56 × 28..56, mask everywhere.
  const probs = new Array<number>(2 * M * M).fill(0);
  for (let r = 0; r < M; r++) for (let c = 0; c < 14; c++) probs[r * M + c] = 1;
  for (let i = M * M; i < 2 * M * M; i++) probs[i] = 1;
  const run = await runConstantModel(
    [
      { name: 'boxes', dims: [2, 4], declared: ['N', 4], values: [0, 0, 56, 28, 28, 28, 56, 56] },
      { name: 'labels', dims: [2], declared: ['N'], type: 'int64', values: [1, 3] },
      { name: 'scores', dims: [2], declared: ['N'], values: [0.6, 0.9] },
      { name: 'masks', dims: [2, 1, M, M], declared: ['N', 1, M, M], values: probs },
    ],
    { input: [1, 3, 64, 64] },
  );
  const decoder = chooseDecoder(run.signature, {});
  assert.is(decoder.name, 'torchvision');
  const opts = {
    inputWidth: 64,
    inputHeight: 64,
    confidence: 0.5,
    iou: 0.5,
    maxDetections: 10,
    classAgnostic: false,
  };
  const raw = decodeDetections(decoder, run.tensors, opts);
  assert.equal(Array.from(raw.classIds), [3, 1]); // best first
  assert.ok(raw.masks?.kind === 'box');
  const t = { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0, sourceWidth: 64, sourceHeight: 64 };
  const [full, half] = masksToSource(
    raw.masks!,
    raw.boxes.slice(),
    { width: 64, height: 64 },
    t,
    0.5,
  );
  assert.equal([full!.x, full!.y, full!.width, full!.height], [28, 28, 28, 28]);
  assert.ok(full!.data.every((v) => v === 1));
  assert.equal([half!.x, half!.y, half!.width, half!.height], [0, 0, 56, 28]);
  for (let r = 0; r < 28; r++)
    for (let c = 0; c < 56; c++) assert.is(half!.data[r * 56 + c], c < 28 ? 1 : 0);
});

test.run();
