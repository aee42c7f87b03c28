/**
 * COCO RLE against the reference implementation: masks given without RLE (hex
 * bitmaps, XOR-ed rectangles) with what pycocotools' `mask.encode`, `area`,
 * `toBbox` and `iou` return for them, stored in test/fixtures/rle (see its
 * README for how they were made).
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InstanceMask } from '../src/core/masks.ts';
import {
  compressRuns,
  decodeRle,
  decompressRuns,
  encodeMask,
  maskToRuns,
} from '../src/core/rle.ts';

interface Case {
  name: string;
  height: number;
  width: number;
  bits?: string;
  rects?: [number, number, number, number][];
  counts: string;
  area: number;
  bbox: [number, number, number, number];
}
interface IouCase {
  height: number;
  width: number;
  dt: string[];
  gt: string[];
  iscrowd: number[];
  iou: number[][];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/rle/pycocotools-cases.json', import.meta.url), 'utf8'),
) as { cases: Case[]; iou: IouCase[] };

/** The case's mask as a row-major 0/1 frame, read without any RLE code. */
function frameOf(c: Case): Uint8Array {
  const data = new Uint8Array(c.width * c.height);
  if (c.bits !== undefined) {
    for (let i = 0; i < data.length; i++) {
      const byte = Number.parseInt(c.bits.slice((i >> 3) * 2, (i >> 3) * 2 + 2), 16);
      data[i] = (byte >> (7 - (i & 7))) & 1;
    }
  }
  for (const [x, y, w, h] of c.rects ?? []) {
    for (let r = y; r < y + h; r++) for (let k = x; k < x + w; k++) data[r * c.width + k]! ^= 1;
  }
  return data;
}

const whole = (c: Case, data: Uint8Array): InstanceMask => ({
  x: 0,
  y: 0,
  width: c.width,
  height: c.height,
  data,
});

/** The mask cropped to its set pixels' box, as decoders produce them (or 1×1 at 0,0 when empty). */
function cropped(c: Case, data: Uint8Array): InstanceMask {
  let [x0, y0, x1, y1] = [c.width, c.height, -1, -1];
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      if (!data[y * c.width + x]) continue;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  if (x1 < 0) return { x: 0, y: 0, width: 1, height: 1, data: new Uint8Array(1) };
  const width = x1 - x0 + 1;
  const height = y1 - y0 + 1;
  const crop = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) crop[y * width + x] = data[(y0 + y) * c.width + x0 + x]!;
  }
  return { x: x0, y: y0, width, height, data: crop };
}

const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
};

test('the fixture covers the edge cases it claims', () => {
  const names = fixture.cases.map((c) => c.name);
  for (const n of ['empty', 'full', 'first pixel set', 'single column', 'huge full']) {
    assert.ok(names.includes(n), n);
  }
  // Runs longer than 2^16 pixels occur (their differences need 4+ characters).
  const longest = Math.max(...fixture.cases.map((c) => Math.max(...decompressRuns(c.counts))));
  assert.ok(longest > 2 ** 16, `longest run ${longest}`);
});

for (const c of fixture.cases) {
  test(`${c.name} (${c.height}×${c.width}): encodeMask writes pycocotools' string`, () => {
    const data = frameOf(c);
    assert.is(sum(data), c.area, 'the fixture mask is read back as pycocotools saw it');
    assert.equal(encodeMask(whole(c, data), c.width, c.height), {
      size: [c.height, c.width],
      counts: c.counts,
    });
    // A mask cropped to its box and placed at (x, y) encodes the same.
    assert.is(encodeMask(cropped(c, data), c.width, c.height).counts, c.counts, 'cropped');
  });

  test(`${c.name}: pycocotools' string decodes to the mask, its area and box`, () => {
    const data = frameOf(c);
    const decoded = decodeRle({ size: [c.height, c.width], counts: c.counts });
    assert.is(decoded.width, c.width);
    assert.is(decoded.height, c.height);
    assert.ok(
      decoded.data.every((v, i) => v === data[i]),
      'decoded pixels differ',
    );
    assert.is(sum(decoded.data), c.area);
    // The uncompressed run list round trips through the string and back.
    const runs = maskToRuns(whole(c, data), c.width, c.height);
    assert.is(compressRuns(runs), c.counts);
    assert.equal(decompressRuns(c.counts), runs);
    assert.equal(decodeRle({ size: [c.height, c.width], counts: runs }).data, decoded.data);
    assert.is(sum(runs.filter((_, i) => i % 2 === 1)), c.area, 'odd runs are the set pixels');
    assert.equal(boxOf(decoded), c.bbox, 'toBbox');
  });
}

/** pycocotools' toBbox of a decoded mask: [x, y, w, h] of the set pixels, zeros when empty. */
function boxOf(m: { width: number; height: number; data: Uint8Array }): number[] {
  let [x0, y0, x1, y1] = [m.width, m.height, -1, -1];
  m.data.forEach((v, i) => {
    if (!v) return;
    const x = i % m.width;
    const y = Math.floor(i / m.width);
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  });
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

test("decoded masks reproduce pycocotools' IoU (crowd: intersection over the detection)", () => {
  for (const p of fixture.iou) {
    const decode = (counts: string) => decodeRle({ size: [p.height, p.width], counts }).data;
    const dt = p.dt.map(decode);
    const gt = p.gt.map(decode);
    dt.forEach((d, i) => {
      gt.forEach((g, j) => {
        let inter = 0;
        let union = 0;
        for (let k = 0; k < d.length; k++) {
          inter += d[k]! & g[k]!;
          union += d[k]! | g[k]!;
        }
        const denominator = p.iscrowd[j] ? sum(d) : union;
        const iou = denominator === 0 ? 0 : inter / denominator;
        assert.ok(Math.abs(iou - p.iou[i]![j]!) < 1e-11, `${iou} ≠ ${p.iou[i]![j]}`);
      });
    });
  }
});

test('a string cut inside a run is refused, not read as garbage', () => {
  // 'X' (0x28) sets the continuation bit, so a string ending there is cut short.
  assert.throws(() => decompressRuns('5X'), /ends inside a run/);
  assert.throws(() => decodeRle({ size: [2, 2], counts: '9' }), /exceed its 2×2/);
});

test.run();
