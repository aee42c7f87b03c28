/**
 * `chooseDecoder` on the output signatures that real exports of each family have
 * (names and shapes as onnxruntime reports them, plus their metadata), and the
 * errors for unknown and ambiguous signatures.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FramewireError } from '../src/core/errors.ts';
import { chooseDecoder, decoders } from '../src/models/decoders/index.ts';

type Sig = [string, (number | string)[]][];
const coco80 = `{${Array.from({ length: 80 }, (_, i) => `${i}: 'class${i}'`).join(', ')}}`;
const ultralytics = { author: 'Ultralytics', task: 'detect', names: coco80, stride: '32' };

const cases: [string, Sig, Record<string, string>, string][] = [
  // YOLOv5s (ultralytics/yolov5 export.py): decoded output, stride + names metadata
  ['YOLOv5s', [['output0', [1, 25200, 85]]], { stride: '32', names: coco80 }, 'yolo-anchor-based'],
  // YOLOv7 without --end2end, no metadata
  ['YOLOv7', [['output', [1, 25200, 85]]], {}, 'yolo-anchor-based'],
  // older YOLOv5 exports also expose the three raw 5-D heads
  [
    'YOLOv5 with raw heads',
    [
      ['output', [1, 25200, 85]],
      ['345', [1, 3, 80, 80, 85]],
      ['403', [1, 3, 40, 40, 85]],
      ['461', [1, 3, 20, 20, 85]],
    ],
    {},
    'yolo-anchor-based',
  ],
  // darknet YOLOv3 converted without the decode: three NCHW heads of 3 × (5+80)
  [
    'YOLOv3 darknet heads',
    [
      ['conv_81', [1, 255, 13, 13]],
      ['conv_93', [1, 255, 26, 26]],
      ['conv_105', [1, 255, 52, 52]],
    ],
    {},
    'yolo-darknet',
  ],
  ['YOLOX (metadata)', [['output', [1, 8400, 85]]], { description: 'YOLOX-s' }, 'yolox'],
  // YOLOv8n / YOLO11n (ultralytics export)
  ['YOLOv8n', [['output0', [1, 84, 8400]]], ultralytics, 'yolo-anchor-free'],
  ['YOLO11n without metadata', [['output0', [1, 84, 8400]]], {}, 'yolo-anchor-free'],
  // dynamic=True exports: the anchor count is symbolic
  ['YOLOv8 dynamic', [['output0', ['batch', 84, 'anchors']]], ultralytics, 'yolo-anchor-free'],
  ['YOLOv5 dynamic', [['output0', ['batch', 'anchors', 85]]], {}, 'yolo-anchor-based'],
  ['YOLOv8 transposed + names', [['output0', [1, 8400, 84]]], ultralytics, 'yolo-anchor-free'],
  // YOLOv10n and ultralytics nms=True
  ['YOLOv10n', [['output0', [1, 300, 6]]], ultralytics, 'yolo-end2end'],
  // a one-class YOLOv5: 6 columns like end-to-end output, but 25 200 anchor rows
  ['YOLOv5 one class', [['output0', [1, 25200, 6]]], {}, 'yolo-anchor-based'],
  ['YOLOv10 without metadata', [['output0', [1, 300, 6]]], {}, 'yolo-end2end'],
  [
    'YOLOv7 --end2end',
    [
      ['num_dets', [1, 1]],
      ['det_boxes', [1, 100, 4]],
      ['det_scores', [1, 100]],
      ['det_classes', [1, 100]],
    ],
    {},
    'yolo-end2end',
  ],
  ['Caffe SSD (OpenCV zoo)', [['detection_out', [1, 1, 200, 7]]], {}, 'ssd-caffe'],
  [
    'TF OD API SSD (tf2onnx)',
    [
      ['detection_anchor_indices', ['unk__6', 100]],
      ['detection_boxes', ['unk__7', 100, 4]],
      ['detection_classes', ['unk__8', 100]],
      ['detection_multiclass_scores', ['unk__9', 100, 91]],
      ['detection_scores', ['unk__10', 100]],
      ['num_detections', ['unk__11']],
      ['raw_detection_boxes', ['unk__12', 'unk__13', 4]],
      ['raw_detection_scores', ['unk__14', 'unk__15', 91]],
    ],
    {},
    'ssd-tf',
  ],
  [
    'torchvision Faster R-CNN',
    [
      ['boxes', ['N', 4]],
      ['labels', ['N']],
      ['scores', ['N']],
    ],
    {},
    'torchvision',
  ],
  [
    'torchvision Mask R-CNN',
    [
      ['boxes', ['N', 4]],
      ['labels', ['N']],
      ['scores', ['N']],
      ['masks', ['N', 1, 'H', 'W']],
    ],
    {},
    'torchvision',
  ],
  [
    'DETR (facebookresearch)',
    [
      ['pred_logits', [1, 100, 92]],
      ['pred_boxes', [1, 100, 4]],
    ],
    {},
    'detr',
  ],
  [
    'DETR (Hugging Face)',
    [
      ['logits', ['batch', 100, 92]],
      ['pred_boxes', ['batch', 100, 4]],
    ],
    {},
    'detr',
  ],
  [
    'RT-DETR (Hugging Face)',
    [
      ['logits', ['batch', 300, 80]],
      ['pred_boxes', ['batch', 300, 4]],
    ],
    {},
    'rt-detr',
  ],
  [
    'RT-DETR (Ultralytics, description)',
    [['output0', [1, 300, 84]]],
    { ...ultralytics, description: 'Ultralytics RT-DETR-l model trained on coco.yaml' },
    'rt-detr',
  ],
  ['RT-DETR (Ultralytics, names only)', [['output0', [1, 300, 84]]], { names: coco80 }, 'rt-detr'],
  [
    'embedded CenterNet (converted TF.js graph)',
    [
      ['tower_0/wh', [1, 128, 128, 4]],
      ['tower_0/keypoints', [1, 128, 128, 80]],
      ['tower_0/detections', [1, 100, 6]],
    ],
    {},
    'centernet',
  ],
  [
    'single-object (backbone + two heads)',
    [
      ['bbox', [1, 4]],
      ['class', [1, 20]],
    ],
    {},
    'single-object',
  ],
];

for (const [family, sig, meta, expected] of cases) {
  test(`chooseDecoder: ${family} → ${expected}`, () => {
    const outputs = sig.map(([name, dims]) => ({ name, dims }));
    assert.is(chooseDecoder(outputs, meta).name, expected);
  });
}

function errorOf(fn: () => unknown): FramewireError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, FramewireError);
    return err as FramewireError;
  }
  throw new Error('expected an error');
}

test('chooseDecoder: an unknown signature names the outputs and lists every decoder', () => {
  const err = errorOf(() => chooseDecoder([{ name: 'probs', dims: [1, 1000] }], {}));
  assert.is(err.code, 'MODEL_INVALID');
  assert.match(err.message, /no decoder recognizes the model outputs probs \[1,1000\]/);
  for (const name of decoders.names()) {
    assert.ok(err.message.includes(name), name);
    assert.ok(err.hint?.includes(name), name);
  }
  assert.match(err.hint ?? '', /set `decoder:`/);
});

test('chooseDecoder: [1,300,84] without metadata fits YOLOv5 and RT-DETR: asks for decoder:', () => {
  const err = errorOf(() => chooseDecoder([{ name: 'output0', dims: [1, 300, 84] }], {}));
  assert.is(err.code, 'MODEL_INVALID');
  assert.match(
    err.message,
    /output0 \[1,300,84\] fit several decoders: yolo-anchor-based, rt-detr/,
  );
  assert.match(err.hint ?? '', /set `decoder:` in the model descriptor/);
});

test('chooseDecoder: an override wins over matching, even for a non-matching signature', () => {
  const outputs = [{ name: 'output', dims: [1, 8400, 85] }];
  assert.is(chooseDecoder(outputs, {}).name, 'yolo-anchor-based');
  assert.is(chooseDecoder(outputs, {}, 'yolox').name, 'yolox');
});

test('chooseDecoder: a misspelt override suggests the nearest name', () => {
  const err = errorOf(() => chooseDecoder([], {}, 'centrenet'));
  assert.is(err.code, 'MODEL_INVALID');
  assert.match(err.message, /Did you mean "centernet"\?/);
});

test('decode errors are MODEL_INVALID and name the decoder and the outputs', () => {
  const opts = {
    inputWidth: 64,
    inputHeight: 64,
    confidence: 0.25,
    iou: 0.45,
    maxDetections: 100,
    classAgnostic: false,
  };
  const missing = errorOf(() =>
    decoders
      .get('torchvision')
      .decode([{ name: 'boxes', dims: [0, 4], data: new Float32Array(0) }], opts),
  );
  assert.is(missing.code, 'MODEL_INVALID');
  assert.match(missing.message, /decoder torchvision: no labels output among boxes \[0,4\]/);
  // A descriptor saying 80 classes for an 8-column (3-class) YOLOv5 output.
  const wrongClasses = errorOf(() =>
    decoders
      .get('yolo-anchor-based')
      .decode([{ name: 'output0', dims: [1, 2, 8], data: new Float32Array(16) }], {
        ...opts,
        numClasses: 80,
      }),
  );
  assert.match(
    wrongClasses.message,
    /decoder yolo-anchor-based: rows of 8 values do not hold 5 \+ 80 classes/,
  );
  const yoloxGrid = errorOf(() =>
    decoders
      .get('yolox')
      .decode([{ name: 'output', dims: [1, 10, 7], data: new Float32Array(70) }], opts),
  );
  assert.match(yoloxGrid.message, /do not fit strides 8,16,32 at 64×64 \(84 rows\)/);
});

test('registry: every decoder is registered under its own name with a doc line', () => {
  for (const [name, d] of decoders.entries()) {
    assert.is(d.name, name);
    assert.ok(d.doc && d.doc.length > 10, name);
  }
  assert.is(decoders.names().length, 16);
});

test.run();
