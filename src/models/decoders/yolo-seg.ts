/**
 * YOLO instance-segmentation exports: a detection head whose rows carry mask
 * coefficients after the class scores, next to prototypes `[1, P, h, w]`
 * (P = 32, h × w = input / 4, e.g. 160 × 160 for 640). An instance's mask is
 * sigmoid(coefficients · prototypes) over the whole input, cut to its box
 * (`masksToSource` in letterbox.ts does that for the detections kept).
 *
 * - v8/v9/v11 (Ultralytics, `task: segment`): `[1, 4+C+P, N]`, no objectness.
 * - v5/v7 (yolov5 `segment/`): `[1, N, 5+C+P]`, with objectness.
 *
 * The boxes are read exactly as the plain families read them (`scanAnchorFree`,
 * `scanAnchorBased`); only the coefficients of the anchors kept are copied.
 */
import { Candidates } from './candidates.ts';
import { asFloat32, classCountFromMeta, dimSize, invalid } from './tensor.ts';
import type { Decoder, InputSize, OutputSignature, OutputTensor, RawDetections } from './types.ts';
import { scanAnchorBased } from './yolo-anchor-based.ts';
import { scanAnchorFree } from './yolo-anchor-free.ts';

/** The prototype count every Ultralytics and yolov5 segmentation head has. */
const PROTOTYPES = 32;
/** The prototype grid is the input at stride 4. */
const PROTO_STRIDE = 4;

/** The detection head and the prototypes of a two-output segmentation export. */
function split<T extends OutputSignature>(
  outputs: readonly T[],
  input?: InputSize,
): { head: T; protos: T } | undefined {
  if (outputs.length !== 2) return undefined;
  const head = outputs.find((o) => o.dims.length === 3);
  const protos = outputs.find((o) => o.dims.length === 4);
  if (!head || !protos) return undefined;
  const [batch, p, h, w] = protos.dims.map(dimSize) as [number, number, number, number];
  if (!(batch === 1 || Number.isNaN(batch)) || !(p >= 1)) return undefined;
  // A symbolic (dynamic) grid fits any input; a fixed one must be the input / 4.
  if (input && !Number.isNaN(h) && h !== input.height / PROTO_STRIDE) return undefined;
  if (input && !Number.isNaN(w) && w !== input.width / PROTO_STRIDE) return undefined;
  return { head, protos };
}

/** Auto-recognition trusts only the standard 32 prototypes, or metadata that says segment. */
function plausiblePrototypes(p: number, meta: Record<string, string>): boolean {
  return p === PROTOTYPES || meta.task?.trim() === 'segment';
}

function protoCount(o: OutputSignature): number {
  return dimSize(o.dims[1]);
}

/** The prototypes as RawMasks, with the coefficients gathered for the candidates kept. */
function withMasks(
  found: RawDetections,
  coefficients: Float32Array,
  protos: OutputTensor,
): RawDetections {
  const [, channels, height, width] = protos.dims as [number, number, number, number];
  return {
    ...found,
    masks: {
      kind: 'prototypes',
      coefficients,
      protos: asFloat32(protos),
      channels,
      width,
      height,
    },
  };
}

/** A growable row-per-candidate coefficient buffer. */
class Coefficients {
  #data: Float32Array;
  #n = 0;
  constructor(readonly channels: number) {
    this.#data = new Float32Array(64 * channels);
  }
  /** Appends `channels` values read at `d[offset + j * stride]`. */
  push(d: Float32Array, offset: number, stride: number): void {
    const p = this.channels;
    if ((this.#n + 1) * p > this.#data.length) {
      const grown = new Float32Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    const base = this.#n++ * p;
    for (let j = 0; j < p; j++) this.#data[base + j] = d[offset + j * stride]!;
  }
  all(): Float32Array {
    return this.#data.subarray(0, this.#n * this.channels);
  }
}

export const yoloAnchorFreeSeg: Decoder = {
  name: 'yolo-anchor-free-seg',
  doc: 'YOLO v8/v11-seg [1,4+C+32,N] + prototypes [1,32,h,w]: boxes, classes, instance masks',
  needsNms: true, // raw rows, as in yolo-anchor-free
  matches(outputs, meta, input) {
    const found = split(outputs, input);
    if (!found) return false;
    const p = protoCount(found.protos);
    if (!plausiblePrototypes(p, meta)) return false;
    const [, a, b] = found.head.dims.map(dimSize) as [number, number, number];
    const c = classCountFromMeta(meta);
    if (a < b || (Number.isNaN(b) && a > 4 + p)) {
      return a > 4 + p && (c === undefined || a === 4 + c + p);
    }
    // Transposed: only when the metadata's class count proves it (else it reads as v5).
    return c !== undefined && b === 4 + c + p && a > 300;
  },
  decode(outputs, opts) {
    const found = split(outputs);
    if (!found) {
      throw invalid(
        'yolo-anchor-free-seg',
        'expected a [1,4+C+32,N] head and [1,32,h,w] prototypes',
      );
    }
    const { head, protos } = found;
    const p = protoCount(protos);
    const [, a, b] = head.dims as [number, number, number];
    const channelsFirst = opts.numClasses !== undefined ? a === 4 + opts.numClasses + p : a < b;
    const k = channelsFirst ? a : b;
    const n = channelsFirst ? b : a;
    const c = k - 4 - p;
    if (c < 1 || (opts.numClasses !== undefined && opts.numClasses !== c)) {
      throw invalid(
        'yolo-anchor-free-seg',
        `[${head.dims}] does not hold 4 + ${opts.numClasses ?? 'C'} + ${p} channels`,
      );
    }
    const d = asFloat32(head);
    const boxes = new Candidates();
    const coefs = new Coefficients(p);
    scanAnchorFree(d, channelsFirst, n, k, c, opts.confidence, (o, s, score, cls) => {
      boxes.pushCenter(d[o]!, d[o + s]!, d[o + 2 * s]!, d[o + 3 * s]!, score, cls);
      coefs.push(d, o + (4 + c) * s, s);
    });
    return withMasks(boxes.all(), coefs.all(), protos);
  },
};

export const yoloAnchorBasedSeg: Decoder = {
  name: 'yolo-anchor-based-seg',
  doc: 'YOLOv5/v7-seg [1,N,5+C+32] + prototypes [1,32,h,w]: boxes, objectness, classes, instance masks',
  needsNms: true, // raw rows, as in yolo-anchor-based
  matches(outputs, meta, input) {
    const found = split(outputs, input);
    if (!found) return false;
    const p = protoCount(found.protos);
    if (!plausiblePrototypes(p, meta)) return false;
    const [, n, k] = found.head.dims.map(dimSize) as [number, number, number];
    if (!(k > 5 + p) || n <= k) return false;
    const c = classCountFromMeta(meta);
    return c === undefined || k === 5 + c + p;
  },
  decode(outputs, opts) {
    const found = split(outputs);
    if (!found) {
      throw invalid(
        'yolo-anchor-based-seg',
        'expected a [1,N,5+C+32] head and [1,32,h,w] prototypes',
      );
    }
    const { head, protos } = found;
    const p = protoCount(protos);
    const [, n, k] = head.dims as [number, number, number];
    const c = k - 5 - p;
    if (c < 1 || (opts.numClasses !== undefined && opts.numClasses !== c)) {
      throw invalid(
        'yolo-anchor-based-seg',
        `rows of ${k} values do not hold 5 + ${opts.numClasses ?? 'C'} classes + ${p} coefficients`,
      );
    }
    const d = asFloat32(head);
    const boxes = new Candidates();
    const coefs = new Coefficients(p);
    scanAnchorBased(d, n, k, c, opts.confidence, (row, score, cls) => {
      boxes.pushCenter(d[row]!, d[row + 1]!, d[row + 2]!, d[row + 3]!, score, cls);
      coefs.push(d, row + 5 + c, 1);
    });
    return withMasks(boxes.all(), coefs.all(), protos);
  },
};
