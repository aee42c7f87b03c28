/**
 * The peer benchmark's YOLOv8n-shaped graph (bench/peer-yolo.ts): the published
 * architecture, checked against Ultralytics' own figure for YOLOv8n ("YOLOv8n
 * summary (fused): 168 layers, 3,151,904 parameters"), and its output is what
 * framewire's YOLOv8 decoder expects, so both sides of the benchmark decode it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { buildYolov8n } from '../bench/peer-yolo.ts';
import { chooseDecoder } from '../src/models/decoders/index.ts';

test('has the parameter count of a fused YOLOv8n', () => {
  assert.is(buildYolov8n().params, 3_151_904);
});

test('onnxruntime runs it to one [1,84,8400] output that the YOLOv8 decoder takes', async () => {
  const session = await ort.InferenceSession.create(buildYolov8n().onnx, { intraOpNumThreads: 1 });
  try {
    const input = new ort.Tensor(
      'float32',
      new Float32Array(3 * 640 * 640).fill(0.5),
      [1, 3, 640, 640],
    );
    const out = (await session.run({ images: input })).output0!;
    assert.equal(out.dims, [1, 84, 8400]);
    // Class scores are sigmoids, boxes have a positive size.
    const d = out.data as Float32Array;
    for (let i = 0; i < 8400; i += 97) {
      assert.ok(d[2 * 8400 + i]! > 0 && d[3 * 8400 + i]! > 0);
      for (let j = 4; j < 84; j += 13) assert.ok(d[j * 8400 + i]! > 0 && d[j * 8400 + i]! < 1);
    }
    const signature = [{ name: 'output0', dims: [...out.dims] }];
    assert.is(chooseDecoder(signature, {}, undefined).name, 'yolo-anchor-free');
  } finally {
    await session.release();
  }
});

test.run();
