/** SSD decoders (Caffe DetectionOutput and the TF Object Detection API) on real ORT tensors. */
import { test } from 'uvu';
import { assertRows, decodeFixture } from './helpers/decode.ts';

const ssdInput = { inputWidth: 300, inputHeight: 200 };

test('ssd-caffe: [1,1,N,7] normalized rows scaled to input pixels, padding rows skipped', async () => {
  const values = [
    // image 0, label 15, 0.95, box (0.1,0.2)-(0.5,0.6) → (30,40)-(150,120)
    [0, 15, 0.95, 0.1, 0.2, 0.5, 0.6],
    // label 7, 0.3 → kept
    [0, 7, 0.3, 0, 0, 1, 1],
    // 0.1 < 0.25 → dropped
    [0, 7, 0.1, 0, 0, 0.5, 0.5],
    // image_id -1: padding after the last detection
    [-1, 0, 0.99, 0, 0, 0, 0],
  ].flat();
  const out = await decodeFixture(
    [{ name: 'detection_out', dims: [1, 1, 4, 7], values }],
    'ssd-caffe',
    ssdInput,
  );
  assertRows(out, [
    { box: [30, 40, 150, 120], score: 0.95, classId: 15 },
    { box: [0, 0, 300, 200], score: 0.3, classId: 7 },
  ]);
});

test('ssd-tf: ymin,xmin,ymax,xmax normalized, float classes, only num_detections rows', async () => {
  const out = await decodeFixture(
    [
      // tf2onnx keeps the ":0" tensor suffix; names are matched without it.
      {
        name: 'detection_boxes:0',
        dims: [1, 4, 4],
        // (ymin,xmin,ymax,xmax): row 0 → x 30..150, y 40..120
        values: [0.2, 0.1, 0.6, 0.5, 0, 0, 0.5, 0.5, 0, 0, 1, 1, 0.1, 0.1, 0.2, 0.2],
      },
      { name: 'detection_classes:0', dims: [1, 4], values: [1, 18, 3, 44] },
      { name: 'detection_scores:0', dims: [1, 4], values: [0.9, 0.4, 0.2, 0.9] },
      // The 4th row is past num_detections, whatever its score.
      { name: 'num_detections:0', dims: [1], values: [3] },
    ],
    'ssd-tf',
    ssdInput,
  );
  assertRows(out, [
    { box: [30, 40, 150, 120], score: 0.9, classId: 1 },
    { box: [0, 0, 150, 100], score: 0.4, classId: 18 },
  ]);
});

test.run();
