import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/commands/media-io.ts';
import { frameByteLength, type PixelFormat } from '../src/core/frame.ts';
import { fromFloat16Bits, toFloat16Bits } from '../src/models/float16.ts';
import { boxesToSource, computeLetterbox, modelToSource } from '../src/models/letterbox.ts';
import { type PreprocessSpec, Preprocessor } from '../src/models/preprocess.ts';
import { seededRandom } from './helpers/random.ts';

const SPEC: PreprocessSpec = {
  width: 8,
  height: 8,
  layout: 'NCHW',
  dtype: 'float32',
  colorOrder: 'RGB',
  resize: 'letterbox',
  padValue: 114,
  scale: 1,
  mean: [0, 0, 0],
  std: [1, 1, 1],
};

/** A uniform frame of one colour, in either pixel format. */
function solid(format: PixelFormat, w: number, h: number, a: number, b: number, c: number) {
  if (format === 'rgb24') {
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.set([a, b, c], i * 3);
    return { width: w, height: h, format, data };
  }
  const cw = Math.ceil(w / 2) * Math.ceil(h / 2);
  const data = new Uint8Array(w * h + 2 * cw);
  data.fill(a, 0, w * h);
  data.fill(b, w * h, w * h + cw);
  data.fill(c, w * h + cw);
  return { width: w, height: h, format, data };
}

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

test('letterbox geometry: exact pad offsets and scale on non-square frames', () => {
  const cases = [
    // 720p into 640²: scale 1/2, 360 rows of content, 140 rows of padding above.
    { src: [1280, 720], dst: [640, 640], scale: [0.5, 0.5], content: [0, 140, 640, 360] },
    // chelsea.png into the embedded 512²: 300·512/451 = 340.6 → 341 rows, (512−341)/2 → 85.
    { src: [451, 300], dst: [512, 512], scale: [512 / 451, 341 / 300], content: [0, 85, 512, 341] },
    // Portrait: padding left and right; odd padding pixel goes right.
    { src: [300, 451], dst: [512, 512], scale: [341 / 300, 512 / 451], content: [85, 0, 341, 512] },
    // Stretch: no padding, independent scales.
    {
      src: [1280, 720],
      dst: [640, 640],
      scale: [0.5, 640 / 720],
      content: [0, 0, 640, 640],
      stretch: true,
    },
  ];
  for (const c of cases) {
    const lb = computeLetterbox(
      c.src[0]!,
      c.src[1]!,
      c.dst[0]!,
      c.dst[1]!,
      c.stretch ? 'stretch' : 'letterbox',
    );
    assert.equal(
      [lb.contentX, lb.contentY, lb.contentWidth, lb.contentHeight],
      c.content,
      JSON.stringify(c),
    );
    close(lb.scaleX, c.scale[0]!, 1e-12, 'scaleX');
    close(lb.scaleY, c.scale[1]!, 1e-12, 'scaleY');
  }
});

test('letterbox undo maps a model-input box back to exact source pixels, clipped to the frame', () => {
  const lb = computeLetterbox(1280, 720, 640, 640, 'letterbox');
  const t = modelToSource(lb, 1280, 720, undefined);
  // The whole content rectangle is the whole frame.
  const boxes = Float32Array.from([0, 140, 640, 500, 100, 190, 300, 240, -20, 100, 700, 600]);
  boxesToSource(boxes, t);
  assert.equal([...boxes], [0, 0, 1280, 720, 200, 100, 600, 200, /* clipped: */ 0, 0, 1280, 720]);
});

test('letterbox undo composes with a resize stage transform to reach the original source', () => {
  // A 1920x1080 source resized (by the resize stage) to 1280x720, then letterboxed to 640².
  const resized = {
    scaleX: 2 / 3,
    scaleY: 2 / 3,
    offsetX: 0,
    offsetY: 0,
    sourceWidth: 1920,
    sourceHeight: 1080,
  };
  const lb = computeLetterbox(1280, 720, 640, 640, 'letterbox');
  const boxes = Float32Array.from([100, 190, 300, 240]);
  boxesToSource(boxes, modelToSource(lb, 1280, 720, resized));
  for (const [i, v] of [300, 150, 900, 300].entries()) close(boxes[i]!, v, 1e-3, `coordinate ${i}`);
});

test('YUV→RGB (BT.601 limited range) of known colours', () => {
  // Limited-range YUV of pure colours, as ffmpeg's rgb→yuv420p produces them.
  const colours = [
    { name: 'white', yuv: [235, 128, 128], rgb: [255, 255, 255] },
    { name: 'black', yuv: [16, 128, 128], rgb: [0, 0, 0] },
    { name: 'mid grey', yuv: [126, 128, 128], rgb: [128, 128, 128] },
    { name: 'red', yuv: [81, 90, 240], rgb: [255, 0, 0] },
    { name: 'green', yuv: [145, 54, 34], rgb: [0, 255, 0] },
    { name: 'blue', yuv: [41, 240, 110], rgb: [0, 0, 255] },
  ];
  for (const c of colours) {
    const frame = solid('yuv420p', 16, 16, c.yuv[0]!, c.yuv[1]!, c.yuv[2]!);
    const p = new Preprocessor({ ...SPEC, width: 4, height: 4 }, frame);
    const out = p.run(frame.data) as Float32Array;
    for (let ch = 0; ch < 3; ch++) close(out[ch * 16]!, c.rgb[ch]!, 2, `${c.name} channel ${ch}`);
  }
});

test('YUV→RGB of a real photo agrees with ffmpeg converting the same yuv420p frame', () => {
  const [w, h] = [450, 300];
  /** Runs ffmpeg with `args` (inputs and filters) writing raw `pixFmt` frames to stdout. */
  const ffmpeg = (args: string[], pixFmt: string, input?: Buffer) =>
    spawnSync(
      ffmpegPath,
      ['-v', 'error', ...args, '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1'],
      {
        maxBuffer: 1 << 24,
        ...(input ? { input } : {}),
      },
    ).stdout;
  const yuv = ffmpeg(['-i', 'test/fixtures/chelsea.png', '-vf', `scale=${w}:${h}`], 'yuv420p');
  const raw = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${w}x${h}`, '-i', 'pipe:0'];
  const rgb = ffmpeg(raw, 'rgb24', yuv);
  assert.is(rgb.length, w * h * 3);
  // Same size, so this measures the colour conversion and chroma upsampling only.
  const p = new Preprocessor(
    { ...SPEC, width: w, height: h, layout: 'NHWC', resize: 'stretch' },
    { width: w, height: h, format: 'yuv420p' },
  );
  const out = p.run(new Uint8Array(yuv));
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += Math.abs(out[i]! - rgb[i]!);
  // Measured 1.35: chroma upsampling differs slightly at colour edges, nothing more.
  assert.ok(sum / out.length < 2, `mean absolute difference ${sum / out.length}`);
});

test('layouts and colour order: NCHW, NHWC, BGR; normalization (x·scale − mean) / std', () => {
  const frame = solid('rgb24', 4, 4, 10, 20, 30);
  const base = {
    ...SPEC,
    width: 4,
    height: 4,
    scale: 1 / 10,
    mean: [1, 1, 1] as const,
    std: [2, 2, 2] as const,
  };
  // (10/10 − 1)/2 = 0, (20/10 − 1)/2 = 0.5, (30/10 − 1)/2 = 1
  const cases = [
    { layout: 'NCHW', order: 'RGB', at: [0, 16, 32], expect: [0, 0.5, 1] },
    { layout: 'NHWC', order: 'RGB', at: [0, 1, 2], expect: [0, 0.5, 1] },
    { layout: 'NCHW', order: 'BGR', at: [0, 16, 32], expect: [1, 0.5, 0] },
    { layout: 'NHWC', order: 'BGR', at: [0, 1, 2], expect: [1, 0.5, 0] },
  ] as const;
  for (const c of cases) {
    const p = new Preprocessor({ ...base, layout: c.layout, colorOrder: c.order }, frame);
    assert.equal(p.dims, c.layout === 'NCHW' ? [1, 3, 4, 4] : [1, 4, 4, 3]);
    const out = p.run(frame.data);
    for (const [k, i] of c.at.entries()) {
      close(out[i]!, c.expect[k]!, 1e-6, `${c.layout} ${c.order} value ${k}`);
    }
  }
});

test('padding holds the normalized pad value; content is resampled bilinearly', () => {
  // A 4x2 frame into 4x4: rows 0 and 3 are padding, rows 1–2 content.
  const frame = { width: 4, height: 2, format: 'rgb24' as const, data: new Uint8Array(24) };
  for (let x = 0; x < 4; x++)
    for (let y = 0; y < 2; y++) frame.data.set([x * 40, 0, 0], (y * 4 + x) * 3);
  const p = new Preprocessor({ ...SPEC, width: 4, height: 4, scale: 1 / 255 }, frame);
  const out = p.run(frame.data) as Float32Array;
  close(out[0]!, 114 / 255, 1e-6, 'pad R');
  close(out[16 + 3 * 4]!, 114 / 255, 1e-6, 'pad G bottom row');
  assert.equal(
    [...out.subarray(4, 8)].map((v) => Math.round(v * 255)),
    [0, 40, 80, 120],
  );
  // Half-size: each output pixel averages two source columns (centre-aligned bilinear).
  const half = new Preprocessor({ ...SPEC, width: 2, height: 2, resize: 'stretch' }, frame);
  const h = half.run(frame.data) as Float32Array;
  assert.equal([h[0], h[1]], [20, 100]);
});

test('float16 and uint8 inputs; the tensor buffer is reused across frames', () => {
  const frame = solid('rgb24', 4, 4, 51, 102, 255);
  const f16 = new Preprocessor(
    { ...SPEC, width: 4, height: 4, dtype: 'float16', scale: 1 / 255 },
    frame,
  );
  const a = f16.run(frame.data);
  assert.ok(a instanceof Uint16Array);
  close(fromFloat16Bits(a[0]!), 0.2, 1e-3, 'float16 R');
  close(fromFloat16Bits(a[32]!), 1, 0, 'float16 B');
  assert.is(f16.run(frame.data), a, 'same buffer on the next frame');
  const u8 = new Preprocessor(
    { ...SPEC, width: 4, height: 4, dtype: 'uint8', scale: 1 / 255 },
    frame,
  );
  const b = u8.run(frame.data);
  assert.ok(b instanceof Uint8Array);
  assert.equal([b[0], b[16], b[32]], [51, 102, 255], 'uint8 takes raw pixels');
});

test('float16 conversion round-trips exactly representable values', () => {
  for (const v of [0, 1, -2, 0.5, 65504, 2 ** -24, 1 / 3]) {
    const back = fromFloat16Bits(toFloat16Bits(v));
    close(back, v, Math.abs(v) * 2 ** -11, `value ${v}`);
  }
  assert.is(fromFloat16Bits(toFloat16Bits(1e6)), Number.POSITIVE_INFINITY);
});

test('a short buffer is an error, not a silent read past the end', () => {
  const frame = solid('yuv420p', 4, 4, 0, 0, 0);
  const p = new Preprocessor(SPEC, frame);
  assert.throws(() => p.run(new Uint8Array(10)), /needs 24 bytes, got 10/);
});

/**
 * The per-pixel definition the fast paths must reproduce exactly: for each output
 * pixel, bilinear samples (centre-aligned, clamped, weights stored as float32) of
 * R, G, B — or of Y and of U and V at the half-resolution chroma positions, then
 * BT.601 limited range to RGB, clamped — then `× scale − mean) / std`.
 */
function referenceTensor(
  spec: PreprocessSpec,
  frame: { width: number; height: number; format: PixelFormat; data: Uint8Array },
) {
  const lb = computeLetterbox(
    frame.width,
    frame.height,
    spec.width,
    spec.height,
    spec.resize,
    spec.pad,
  );
  const { width: W, height: H } = spec;
  const out = new Float32Array(3 * W * H);
  const gain = (c: number) => (spec.dtype === 'uint8' ? 1 : spec.scale / spec.std[c]!);
  const bias = (c: number) => (spec.dtype === 'uint8' ? 0 : -spec.mean[c]! / spec.std[c]!);
  const put = (x: number, y: number, rgb: number[]) => {
    for (let c = 0; c < 3; c++) {
      const ch = spec.colorOrder === 'RGB' ? c : 2 - c;
      const at = spec.layout === 'NCHW' ? ch * W * H + y * W + x : (y * W + x) * 3 + ch;
      out[at] = rgb[c]! * gain(c) + bias(c);
    }
  };
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) put(x, y, [spec.padValue, spec.padValue, spec.padValue]);
  /** Bilinear at source position (sx, sy) of a plane `pw` × `ph` read by `at(x, y)`. */
  const bilinear = (
    at: (x: number, y: number) => number,
    pw: number,
    ph: number,
    sx: number,
    sy: number,
  ) => {
    const cx = Math.min(Math.max(sx, 0), pw - 1);
    const cy = Math.min(Math.max(sy, 0), ph - 1);
    const [x0, y0] = [Math.floor(cx), Math.floor(cy)];
    const [x1, y1] = [Math.min(x0 + 1, pw - 1), Math.min(y0 + 1, ph - 1)];
    const [wx, wy] = [Math.fround(cx - x0), Math.fround(cy - y0)];
    const top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * wx;
    return top + (at(x0, y1) + (at(x1, y1) - at(x0, y1)) * wx - top) * wy;
  };
  const { width: fw, height: fh, data } = frame;
  const [cw, ch] = [Math.ceil(fw / 2), Math.ceil(fh / 2)];
  const clamp = (v: number) => Math.min(Math.max(v, 0), 255);
  for (let dy = 0; dy < lb.contentHeight; dy++) {
    for (let dx = 0; dx < lb.contentWidth; dx++) {
      const sx = (dx + 0.5) / lb.scaleX - 0.5;
      const sy = (dy + 0.5) / lb.scaleY - 0.5;
      let rgb: number[];
      if (frame.format === 'yuv420p') {
        const [csx, csy] = [(sx + 0.5) / 2 - 0.5, (sy + 0.5) / 2 - 0.5];
        const yv = bilinear((x, y) => data[y * fw + x]!, fw, fh, sx, sy);
        const u = bilinear((x, y) => data[fw * fh + y * cw + x]!, cw, ch, csx, csy) - 128;
        const v = bilinear((x, y) => data[fw * fh + cw * ch + y * cw + x]!, cw, ch, csx, csy) - 128;
        const l = (yv - 16) * (255 / 219);
        const k = 255 / 224;
        rgb = [
          clamp(l + k * 1.402 * v),
          clamp(l - k * 0.344136 * u - k * 0.714136 * v),
          clamp(l + k * 1.772 * u),
        ];
      } else {
        const bpp = frame.format === 'rgba' ? 4 : 3;
        rgb = [0, 1, 2].map((c) =>
          bilinear((x, y) => data[(y * fw + x) * bpp + c]!, fw, fh, sx, sy),
        );
      }
      put(lb.contentX + dx, lb.contentY + dy, rgb);
    }
  }
  return out;
}

test('sampling equals the per-pixel definition exactly: formats, sizes down to 1 pixel, layouts, normalization', () => {
  const rand = seededRandom(3);
  const random = (format: PixelFormat, width: number, height: number) => {
    const data = new Uint8Array(frameByteLength(format, width, height));
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
    return { width, height, format, data };
  };
  const specs: PreprocessSpec[] = [
    // The default detector's input: raw 0–255 NHWC, letterboxed.
    { ...SPEC, width: 64, height: 64, layout: 'NHWC', padValue: 0 },
    // Normalized NCHW BGR, stretched (no padding).
    {
      ...SPEC,
      width: 40,
      height: 24,
      colorOrder: 'BGR',
      resize: 'stretch',
      scale: 1 / 255,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    // Upscaling a tiny frame: columns clamped at both edges.
    {
      ...SPEC,
      width: 9,
      height: 7,
      layout: 'NHWC',
      resize: 'stretch',
      scale: 2,
      mean: [3, 4, 5],
      std: [1, 2, 4],
    },
  ];
  // Odd sizes (chroma planes rounded up), and planes 1 and 2 samples wide.
  const sizes = [
    [160, 90],
    [37, 23],
    [5, 3],
    [2, 5],
    [1, 4],
    [3, 1],
    [1, 1],
  ] as const;
  for (const format of ['yuv420p', 'rgb24', 'rgba'] as const) {
    for (const [w, h] of sizes) {
      const frame = random(format, w, h);
      for (const spec of specs) {
        const got = new Preprocessor(spec, frame).run(frame.data);
        const want = referenceTensor(spec, frame);
        const i = want.findIndex((v, k) => !Object.is(v, got[k]));
        assert.is(
          i,
          -1,
          `${format} ${w}×${h} → ${spec.width}×${spec.height} ${spec.layout}: value ${i} is ${got[i]}, not ${want[i]}`,
        );
      }
    }
  }
});

test('sampling a real 720p frame equals the per-pixel definition exactly', () => {
  const yuv = spawnSync(
    ffmpegPath,
    [
      '-v',
      'error',
      '-i',
      'test/fixtures/chelsea.png',
      '-vf',
      'scale=1280:720',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      'pipe:1',
    ],
    { maxBuffer: 1 << 24 },
  ).stdout;
  const frame = { width: 1280, height: 720, format: 'yuv420p' as const, data: new Uint8Array(yuv) };
  const spec = { ...SPEC, width: 512, height: 512, layout: 'NHWC' as const, padValue: 0 };
  const got = new Preprocessor(spec, frame).run(frame.data);
  const want = referenceTensor(spec, frame);
  assert.is(
    want.findIndex((v, k) => !Object.is(v, got[k])),
    -1,
  );
});

test.run();
