/**
 * The embedded person segmenter (MediaPipe's selfie model, converted from the
 * .tflite in @mediapipe/selfie_segmentation) on astronaut.png:
 * - through framewire's whole path (decode → stretch to 256×256 → ONNX →
 *   threshold 0.5 → source pixels), against a polygon drawn by hand;
 * - against MediaPipe's own runtime from the same package (its WASM + WebGL
 *   solution) in Debian's chromium, on the same 256×256 pixels.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { chromium } from 'playwright-core';
import { from, lastValueFrom, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFrames } from '../src/commands/media-io.ts';
import type { ComponentContext, StageInstance } from '../src/core/component.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import type { Frame } from '../src/core/frame.ts';
import { silentLogger } from '../src/core/log.ts';
import { systemClock } from '../src/core/clock.ts';
import {
  prepareSelfieModel,
  SELFIE_MODEL,
  selfieSourcePath,
} from '../src/models/embedded-selfie.ts';
import { Segmenter } from '../src/models/segmenter.ts';
import { resizeStage } from '../src/stages/resize.ts';
import { segmentStage } from '../src/stages/segment.ts';
import { tempDir } from './helpers/media.ts';
import { maskIou, rasterisePolygon } from './helpers/polygon.ts';

const tmp = tempDir('framewire-selfie-');
// The segmenter converts into the user cache; keep this run's copy in a temp dir.
process.env.FRAMEWIRE_CACHE_DIR = tmp.dir;
test.after(() => tmp.cleanup());

/**
 * Eileen Collins in astronaut.png (512×512), outlined by hand while looking at
 * the photo, clockwise from the top of her hair: hair, the right side of the
 * face and neck, the neck ring, the right shoulder and arm, then the helmet she
 * holds at the lower right (a person segmenter keeps what the person holds, and
 * the helmet covers her right forearm), the bottom edge, the left arm, shoulder
 * and neck ring, and the left side of the hair. The flag, the shuttle model and
 * the backdrop are outside.
 */
const PERSON: readonly (readonly [number, number])[] = [
  [225, 14],
  [262, 18],
  [290, 38],
  [302, 75],
  [296, 120],
  [276, 150],
  [292, 180],
  [306, 215],
  [304, 255],
  [335, 270],
  [352, 295],
  [362, 340],
  [395, 342],
  [445, 346],
  [482, 366],
  [502, 398],
  [510, 440],
  [512, 470],
  [512, 512],
  [20, 512],
  [18, 440],
  [22, 340],
  [35, 280],
  [60, 245],
  [112, 215],
  [118, 180],
  [140, 158],
  [162, 140],
  [155, 100],
  [158, 55],
  [185, 25],
];

async function astronaut(format: 'rgb24' | 'yuv420p' = 'rgb24'): Promise<Frame> {
  for await (const frame of readFrames('test/fixtures/astronaut.png', format)) return frame;
  throw new Error('astronaut.png: no frame');
}

test('the person mask on astronaut.png overlaps the hand-drawn outline with IoU > 0.8', async () => {
  const segmenter = await Segmenter.open({ model: undefined, threshold: 0.5, log: silentLogger });
  try {
    const frame = await astronaut();
    const map = await segmenter.segment(frame);
    assert.equal([map.width, map.height], [512, 512]);
    assert.equal(map.labels, ['background', 'person']);
    const iou = maskIou(rasterisePolygon(PERSON, 512, 512), map.classes);
    console.log(`  IoU against the hand-drawn outline: ${iou.toFixed(3)}`);
    assert.ok(iou > 0.8, `IoU ${iou}`);
  } finally {
    await segmenter.close();
  }
});

test('framewire segment IMAGE without --model: person and background shares as JSON', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'segment', 'test/fixtures/astronaut.png', '--json'],
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, FRAMEWIRE_CACHE_DIR: tmp.dir } },
  );
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    width: number;
    height: number;
    classes: { label: string; pixels: number; fraction: number }[];
  };
  assert.equal([out.width, out.height], [512, 512]);
  assert.equal(
    out.classes.map((c) => c.label),
    ['background', 'person'],
  );
  assert.is(out.classes[0]!.pixels + out.classes[1]!.pixels, 512 * 512);
  // The hand-drawn outline covers 56% of the frame; the model's mask agrees to IoU 0.93.
  const person = out.classes[1]!.fraction;
  assert.ok(person > 0.45 && person < 0.65, `person fraction ${person}`);
});

function context(name: string): ComponentContext {
  return {
    name,
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
    pool: new FramePool(),
    count: () => {},
    report: () => {},
    health: () => {},
    stream: undefined,
  };
}

test('the segment stage without a model, after a resize, on yuv420p: the map is in source pixels', async () => {
  const resize = await resizeStage.create(
    { width: 300, height: 300, mode: 'letterbox' },
    context('stages[0] (resize)'),
  );
  const segment = (await segmentStage.create(
    { threshold: 0.5, providers: ['cpu'], threads: 1, instances: 1, probabilities: true },
    context('stages[1] (segment)'),
  )) as StageInstance;
  try {
    const frame = await astronaut('yuv420p');
    const operator = 'operator' in resize ? resize.operator : resize;
    const [out] = await lastValueFrom(from([frame]).pipe(operator, segment.operator, toArray()));
    assert.is(out!.width, 300, 'the frame was resized');
    const map = out!.meta.segmentation!;
    assert.equal([map.width, map.height], [512, 512]);
    const iou = maskIou(rasterisePolygon(PERSON, 512, 512), map.classes);
    assert.ok(iou > 0.8, `IoU ${iou}`);
    // Asked for, each pixel's class probability comes along, sampled from the same
    // cells: a class chosen at threshold 0.5 always has a probability of at least 0.5.
    const p = map.probabilities!;
    assert.is(p.length, 512 * 512);
    for (let i = 0; i < p.length; i++) {
      if (p[i]! < 128) assert.unreachable(`pixel ${i}: class ${map.classes[i]} with p ${p[i]}/255`);
    }
  } finally {
    await segment.close();
  }
});

/** astronaut.png halved to the model's 256×256 by averaging 2×2 blocks, so both runtimes get identical pixels. */
async function astronaut256(): Promise<Uint8Array> {
  const { data } = await astronaut();
  const rgb = new Uint8Array(256 * 256 * 3);
  for (let y = 0; y < 256; y++)
    for (let x = 0; x < 256; x++)
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => data[(yy * 512 + xx) * 3 + c]!;
        const sum =
          at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1);
        rgb[(y * 256 + x) * 3 + c] = Math.round(sum / 4);
      }
  return rgb;
}

/**
 * MediaPipe's solution in headless chromium, offline: every request goes to
 * the package's own files through a Playwright route, anything else is
 * aborted. WebGL2 comes from SwiftShader (software), which the solution's GPU
 * graph needs. Returns the segmentation mask's alpha channel (the mask value,
 * 0–255; the solution hands the mask over as an 8-bit ImageBitmap). The
 * solution's graph has no temporal smoothing, and one frame is sent.
 */
async function mediapipeMask(rgb: Uint8Array): Promise<Uint8Array> {
  const pkg = join(selfieSourcePath(), '..');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.host !== 'mediapipe.invalid') return route.abort();
      const name = url.pathname.slice(1);
      if (name === 'index.html')
        return route.fulfill({ contentType: 'text/html', body: '<html></html>' });
      if (!/^selfie_segmentation[\w.]*$/.test(name))
        return route.fulfill({ status: 404, body: '' });
      const type = name.endsWith('.wasm')
        ? 'application/wasm'
        : name.endsWith('.js')
          ? 'text/javascript'
          : 'application/octet-stream';
      return route.fulfill({ contentType: type, body: readFileSync(join(pkg, name)) });
    });
    await page.goto('http://mediapipe.invalid/index.html');
    await page.addScriptTag({ url: 'http://mediapipe.invalid/selfie_segmentation.js' });
    // A string, not a function: tsx's helpers would not exist in the page.
    const alpha = (await page.evaluate(`(async (rgb) => {
      const solution = new SelfieSegmentation({ locateFile: (f) => 'http://mediapipe.invalid/' + f });
      solution.setOptions({ modelSelection: 0, selfieMode: false });
      const input = document.createElement('canvas');
      input.width = 256;
      input.height = 256;
      const ctx = input.getContext('2d');
      const image = ctx.createImageData(256, 256);
      for (let i = 0; i < 256 * 256; i++) {
        image.data.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
      }
      ctx.putImageData(image, 0, 0);
      let mask;
      solution.onResults((results) => { mask = results.segmentationMask; });
      await solution.initialize();
      await solution.send({ image: input });
      if (!mask || mask.width !== 256 || mask.height !== 256) return 'no 256x256 mask';
      const out = document.createElement('canvas');
      out.width = 256;
      out.height = 256;
      const octx = out.getContext('2d');
      octx.drawImage(mask, 0, 0);
      const rgba = octx.getImageData(0, 0, 256, 256).data;
      const alpha = [];
      for (let i = 3; i < rgba.length; i += 4) alpha.push(rgba[i]);
      await solution.close();
      return alpha;
    })(${JSON.stringify(Array.from(rgb))})`)) as number[] | string;
    if (typeof alpha === 'string') throw new Error(`MediaPipe: ${alpha}`);
    return Uint8Array.from(alpha);
  } finally {
    await browser.close();
  }
}

test('the converted model matches MediaPipe’s own runtime on the same 256×256 input', async () => {
  const rgb = await astronaut256();
  const onnx = readFileSync(await prepareSelfieModel({ log: silentLogger }));
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1 });
  const input = new ort.Tensor(
    'float32',
    Float32Array.from(rgb, (v) => v / 255),
    [1, 256, 256, 3],
  );
  const ours = (await session.run({ [SELFIE_MODEL.input.name]: input }))[SELFIE_MODEL.output]!
    .data as Float32Array;
  await session.release();
  const theirs = await mediapipeMask(rgb);

  let max = 0;
  let sum = 0;
  let within = 0;
  let sameSide = 0;
  let person = 0;
  for (let i = 0; i < theirs.length; i++) {
    const d = Math.abs(ours[i]! - theirs[i]! / 255);
    max = Math.max(max, d);
    sum += d;
    if (d <= 2 / 255) within++;
    if (ours[i]! > 0.5 === theirs[i]! > 127.5) sameSide++;
    if (ours[i]! > 0.5) person++;
  }
  const n = theirs.length;
  console.log(
    `  vs MediaPipe: mean |Δ| ${(sum / n).toExponential(2)}, max ${max.toFixed(4)}, ` +
      `${((100 * within) / n).toFixed(2)}% within 2/255, masks agree on ${n - sameSide} px short of all`,
  );
  // Not a degenerate comparison: both see a person over a good part of the frame.
  assert.ok(person > 0.3 * n && person < 0.8 * n, `person pixels ${person}`);
  // MediaPipe's mask is 8-bit (±0.5/255 of rounding) and comes from its WebGL
  // inference (SwiftShader here, reduced-precision shaders), so values on steep
  // edges move by a few hundredths; measured: mean 1.2e-4, max 0.045, 99.9%
  // within 2/255, one pixel on the other side of 0.5.
  assert.ok(sum / n < 1e-3, `mean abs diff ${sum / n}`);
  assert.ok(max < 0.08, `max abs diff ${max}`);
  assert.ok(within / n > 0.99, `within 2/255: ${within / n}`);
  assert.ok(sameSide / n > 0.999, `thresholded masks agree on ${sameSide / n}`);
});

test.run();
