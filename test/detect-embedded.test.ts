/**
 * The embedded COCO CenterNet on four real photos (test/fixtures, scikit-image
 * sample data), through the whole path: ffmpeg decode → preprocess (rgb24 and
 * yuv420p) → onnxruntime → decoder → letterbox undo → source pixels.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFrames } from '../src/commands/media-io.ts';
import { systemClock } from '../src/core/clock.ts';
import type { ComponentContext, StageInstance } from '../src/core/component.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import type { Frame } from '../src/core/frame.ts';
import { silentLogger } from '../src/core/log.ts';
import { Detector } from '../src/models/detector.ts';
import { iou } from '../src/models/nms.ts';
import { detectStage } from '../src/stages/detect.ts';
import { resizeStage } from '../src/stages/resize.ts';

/**
 * Hand-labelled boxes [x1, y1, x2, y2] of the main object, in source pixels, drawn
 * by looking at each photo: the tight box around the whole object as COCO would
 * label it (the cup with its handle but not the saucer; the astronaut down to the
 * bottom edge, excluding the helmet she holds; the motorcycle from rear light to
 * front wheel, mirrors included).
 */
const PHOTOS = [
  { file: 'astronaut.png', label: 'person', box: [20, 15, 365, 512] },
  { file: 'chelsea.png', label: 'cat', box: [0, 0, 400, 300] },
  { file: 'coffee.png', label: 'cup', box: [172, 18, 410, 300] },
  { file: 'motorcycle_left.png', label: 'motorcycle', box: [90, 75, 685, 450] },
] as const;

async function firstFrame(file: string, format: 'rgb24' | 'yuv420p'): Promise<Frame> {
  for await (const frame of readFrames(`test/fixtures/${file}`, format)) return frame;
  throw new Error(`${file}: no frame`);
}

let detector: Detector;

test.before(async () => {
  detector = await Detector.open({
    confidence: 0.2,
    iou: 0.45,
    maxDetections: 100,
    log: silentLogger,
  });
});
test.after(async () => {
  await detector.close();
});

for (const format of ['rgb24', 'yuv420p'] as const) {
  test(`each photo's object is the top detection (${format} frames)`, async () => {
    for (const photo of PHOTOS) {
      const frame = await firstFrame(photo.file, format);
      const found = await detector.detect(frame);
      assert.ok(found.length > 0, `${photo.file}: nothing detected`);
      const overlap = iou(found.box(0), photo.box);
      const seen = JSON.stringify(found.toList()[0]);
      assert.is(found.label(0), photo.label, `${photo.file}: top detection ${seen}`);
      assert.ok(found.scores[0]! > 0.4, `${photo.file}: score ${found.scores[0]} ≤ 0.4`);
      assert.ok(
        overlap > 0.6,
        `${photo.file}: IoU ${overlap.toFixed(3)} with the hand box, got ${seen}`,
      );
    }
  });
}

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

test('the detect stage after a resize stage still reports boxes in source pixels', async () => {
  const resize = await resizeStage.create(
    { width: 320, height: 320, mode: 'letterbox' },
    context('stages[0] (resize)'),
  );
  const detect = (await detectStage.create(
    {
      confidence: 0.4,
      iou: 0.45,
      maxDetections: 100,
      providers: ['cpu'],
      interval: 1,
      instances: 1,
      classes: ['motorcycle'],
    },
    context('stages[1] (detect)'),
  )) as StageInstance;
  try {
    const frame = await firstFrame('motorcycle_left.png', 'yuv420p');
    const operator = 'operator' in resize ? resize.operator : resize;
    const [out] = await lastValueFrom(from([frame]).pipe(operator, detect.operator, toArray()));
    const found = out!.meta.detections!;
    assert.is(out!.width, 320, 'the frame was resized');
    assert.ok(found.length >= 1);
    assert.ok(
      found.toList().every((d) => d.label === 'motorcycle'),
      'only the requested class',
    );
    const overlap = iou(found.box(0), PHOTOS[3].box);
    assert.ok(
      overlap > 0.6,
      `IoU ${overlap.toFixed(3)} in source pixels: ${JSON.stringify(found.toList())}`,
    );
  } finally {
    await detect.close();
  }
});

test('an unknown class is a config error listing the valid labels', async () => {
  try {
    await detectStage.create(
      {
        confidence: 0.4,
        iou: 0.45,
        maxDetections: 100,
        providers: ['cpu'],
        interval: 1,
        instances: 1,
        classes: ['persn'],
      },
      context('stages[0] (detect)'),
    );
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.is((err as Error).name, 'ConfigError');
    assert.match((err as Error).message, /unknown label "persn"/);
    assert.match((err as { hint?: string }).hint ?? '', /person, bicycle, car/);
  }
});

test.run();
