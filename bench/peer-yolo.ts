// A YOLOv8n-shaped detector for the peer benchmark, built with the project's ONNX
// writer: the published architecture (width 0.25, depth 0.33, 640 input, 80
// classes, BatchNorm folded into the convolutions as an export does), with seeded
// random weights. Its cost is a real YOLOv8n's; its boxes mean nothing, but both
// sides decode the same output the same way, so they must agree.
import { type AttrValue, OnnxGraphBuilder } from '../src/models/tfjs/onnx-writer.ts';
import { seededRandom } from '../test/helpers/random.ts';

export const YOLO_SIZE = 640;
const CLASSES = 80;
const REG_MAX = 16;
const STRIDES = [8, 16, 32];
/**
 * Without BatchNorm statistics a random deep net's activations shrink layer by
 * layer (a gain of 1.15 already makes them explode): the heads' last convolutions
 * get 30× larger weights, so the class logits and the DFL bins spread out, and the
 * class bias keeps a few dozen anchors a frame above 0.4, as a trained model has.
 */
const GAIN = 1;
const HEAD = 30;
const CLASS_BIAS = -7;

class Yolo {
  readonly g = new OnnxGraphBuilder();
  readonly random = seededRandom(8);
  params = 0;

  weights(base: string, dims: number[], bound: number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.params += n;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (this.random() * 2 - 1) * bound;
    return this.g.floats(base, dims, data);
  }

  op(type: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    const out = this.g.fresh(type.toLowerCase());
    this.g.node(type, inputs, [out], attrs);
    return out;
  }

  /** Conv (+ folded BN bias) + SiLU, or a bare conv for the heads' last layer. */
  conv(
    x: string,
    cin: number,
    cout: number,
    k: number,
    s = 1,
    act = true,
    bias = 0,
    gain = GAIN,
  ): string {
    // He-uniform bound keeps activations from vanishing through 60-odd layers.
    const w = this.weights('w', [cout, cin, k, k], gain * Math.sqrt(6 / (cin * k * k)));
    const b = this.g.floats('b', [cout], new Float32Array(cout).fill(bias));
    this.params += cout;
    const p = (k - 1) >> 1;
    const y = this.op('Conv', [x, w, b], {
      kernel_shape: [k, k],
      strides: [s, s],
      pads: [p, p, p, p],
    });
    return act ? this.op('Mul', [y, this.op('Sigmoid', [y])]) : y;
  }

  slice(x: string, axis: number, start: number, end: number): string {
    const { g } = this;
    return this.op('Slice', [
      x,
      g.int64s('starts', [1], [start]),
      g.int64s('ends', [1], [end]),
      g.int64s('axes', [1], [axis]),
    ]);
  }

  c2f(x: string, cin: number, cout: number, n: number, shortcut: boolean): string {
    const c = cout / 2;
    const y = this.conv(x, cin, 2 * c, 1);
    const parts = [this.slice(y, 1, 0, c), this.slice(y, 1, c, 2 * c)];
    for (let i = 0; i < n; i++) {
      const last = parts.at(-1)!;
      const z = this.conv(this.conv(last, c, c, 3), c, c, 3);
      parts.push(shortcut ? this.op('Add', [last, z]) : z);
    }
    return this.conv(this.op('Concat', parts, { axis: 1 }), (2 + n) * c, cout, 1);
  }

  sppf(x: string, cin: number, cout: number): string {
    const y = this.conv(x, cin, cin / 2, 1);
    const pool = (v: string) =>
      this.op('MaxPool', [v], { kernel_shape: [5, 5], strides: [1, 1], pads: [2, 2, 2, 2] });
    const p1 = pool(y);
    const p2 = pool(p1);
    const p3 = pool(p2);
    return this.conv(this.op('Concat', [y, p1, p2, p3], { axis: 1 }), 2 * cin, cout, 1);
  }

  upsample(x: string): string {
    // As PyTorch exports nn.Upsample(scale_factor=2); OpenCV's importer needs `mode` spelled out.
    return this.op('Resize', [x, '', this.g.floats('scales', [4], [1, 1, 2, 2])], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
  }
}

/** The serialized model: input `images [1,3,640,640]`, output `output0 [1,84,8400]` (Ultralytics export layout). */
export function buildYolov8n(): { onnx: Uint8Array; params: number } {
  const m = new Yolo();
  const { g } = m;
  g.input({ name: 'images', dims: [1, 3, YOLO_SIZE, YOLO_SIZE] });
  const p2 = m.c2f(m.conv(m.conv('images', 3, 16, 3, 2), 16, 32, 3, 2), 32, 32, 1, true);
  const p3 = m.c2f(m.conv(p2, 32, 64, 3, 2), 64, 64, 2, true);
  const p4 = m.c2f(m.conv(p3, 64, 128, 3, 2), 128, 128, 2, true);
  const p5 = m.sppf(m.c2f(m.conv(p4, 128, 256, 3, 2), 256, 256, 1, true), 256, 256);
  const h4 = m.c2f(m.op('Concat', [m.upsample(p5), p4], { axis: 1 }), 384, 128, 1, false);
  const o3 = m.c2f(m.op('Concat', [m.upsample(h4), p3], { axis: 1 }), 192, 64, 1, false);
  const o4 = m.c2f(m.op('Concat', [m.conv(o3, 64, 64, 3, 2), h4], { axis: 1 }), 192, 128, 1, false);
  const o5 = m.c2f(
    m.op('Concat', [m.conv(o4, 128, 128, 3, 2), p5], { axis: 1 }),
    384,
    256,
    1,
    false,
  );

  // Detect head: per level a box branch (4 × 16 DFL bins) and a class branch.
  const levels = [
    { x: o3, c: 64 },
    { x: o4, c: 128 },
    { x: o5, c: 256 },
  ];
  const flat = levels.map(({ x, c }, i) => {
    const cells = (YOLO_SIZE / STRIDES[i]!) ** 2;
    const box = m.conv(
      m.conv(m.conv(x, c, 64, 3), 64, 64, 3),
      64,
      4 * REG_MAX,
      1,
      1,
      false,
      0,
      HEAD,
    );
    const cls = m.conv(
      m.conv(m.conv(x, c, 80, 3), 80, 80, 3),
      80,
      CLASSES,
      1,
      1,
      false,
      CLASS_BIAS,
      HEAD,
    );
    const both = m.op('Concat', [box, cls], { axis: 1 });
    return m.op('Reshape', [both, g.int64s('shape', [3], [1, 4 * REG_MAX + CLASSES, cells])]);
  });
  const all = m.op('Concat', flat, { axis: 2 });
  const anchors = STRIDES.reduce((n, s) => n + (YOLO_SIZE / s) ** 2, 0);

  // DFL: softmax over the 16 bins of each side, expectation by a fixed 1×1 conv.
  const dist = m.op('Reshape', [
    m.slice(all, 1, 0, 4 * REG_MAX),
    g.int64s('shape', [4], [1, 4, REG_MAX, anchors]),
  ]);
  const bins = m.op('Softmax', [m.op('Transpose', [dist], { perm: [0, 2, 1, 3] })], { axis: 1 });
  const project = g.floats(
    'dfl',
    [1, REG_MAX, 1, 1],
    Array.from({ length: REG_MAX }, (_, i) => i),
  );
  m.params += REG_MAX; // fixed weights, but Ultralytics counts the DFL conv too
  const ltrb = m.op('Reshape', [
    m.op('Conv', [bins, project], { kernel_shape: [1, 1] }),
    g.int64s('shape', [3], [1, 4, anchors]),
  ]);

  // Cell centres and strides, as the export bakes them in.
  const centres = new Float32Array(2 * anchors);
  const strides = new Float32Array(anchors);
  let a = 0;
  for (const s of STRIDES) {
    const n = YOLO_SIZE / s;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++, a++) {
        centres[a] = x + 0.5;
        centres[anchors + a] = y + 0.5;
        strides[a] = s;
      }
    }
  }
  const anchor = g.floats('anchors', [1, 2, anchors], centres);
  const x1y1 = m.op('Sub', [anchor, m.slice(ltrb, 1, 0, 2)]);
  const x2y2 = m.op('Add', [anchor, m.slice(ltrb, 1, 2, 4)]);
  const half = g.floats('half', [1], [0.5]);
  const centre = m.op('Mul', [m.op('Add', [x1y1, x2y2]), half]);
  const wh = m.op('Sub', [x2y2, x1y1]);
  const box = m.op('Mul', [
    m.op('Concat', [centre, wh], { axis: 1 }),
    g.floats('strides', [1, 1, anchors], strides),
  ]);
  const scores = m.op('Sigmoid', [m.slice(all, 1, 4 * REG_MAX, 4 * REG_MAX + CLASSES)]);
  g.node('Concat', [box, scores], ['output0'], { axis: 1 });
  g.output({ name: 'output0', dims: [1, 4 + CLASSES, anchors] });
  const onnx = g.encode({
    graphName: 'yolov8n-shaped',
    producer: 'framewire-bench',
    doc: 'YOLOv8n architecture with seeded random weights (bench/peer-yolo.ts)',
  });
  return { onnx, params: m.params };
}
