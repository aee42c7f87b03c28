/**
 * Writes docs/overlay-example.png: a real photo (test/fixtures/astronaut.png)
 * pillarboxed to 16:9 and decoded to yuv420p by the bundled ffmpeg, annotated
 * by the overlay stage with hand-made detections (a tracked person with a
 * trail, a second object, a counting line with its counts, the HUD), and
 * encoded back to PNG by ffmpeg. The README shows the result; run it again
 * after changing how the overlay draws:
 *
 *     node --import tsx scripts/overlay-example.ts [output.png]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { from, lastValueFrom, type OperatorFunction, toArray } from 'rxjs';
import type { Clock } from '../src/core/clock.ts';
import { systemClock } from '../src/core/clock.ts';
import { Detections } from '../src/core/detections.ts';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { type Frame, frameByteLength } from '../src/core/frame.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { silentLogger } from '../src/core/log.ts';
import { overlayStage } from '../src/stages/overlay.ts';

const output = process.argv[2] ?? 'docs/overlay-example.png';
const input = 'test/fixtures/astronaut.png';
// The 512×512 photo in a 910×512 (16:9) frame, 199 px of black either side.
const width = 910;
const height = 512;
const left = 199;

const photo = execFileSync(ffmpegPath, [
  ...['-hide_banner', '-loglevel', 'error', '-i', input],
  ...['-vf', `pad=${width}:${height}:${left}:0:black`],
  ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
]);
if (photo.length !== frameByteLength('yuv420p', width, height)) {
  throw new Error(`${input}: expected a 512×512 picture`);
}

// The person walked in from the left over the last 20 frames: earlier frames
// (same pixels, moving box) give the trail; only the last one is kept.
const person = (k: number): [number, number, number, number] => [
  left + 20 - 5 * k,
  14 + 3 * k,
  left + 362 - 5 * k,
  512,
];
const start = Date.UTC(2026, 0, 1, 12, 0, 0);
const frames: Frame[] = [];
for (let k = 20; k >= 0; k--) {
  const seq = 20 - k;
  frames.push({
    seq,
    pts: seq * 40_000,
    time: start + seq * 40,
    width,
    height,
    format: 'yuv420p',
    data: Uint8Array.from(photo),
    sourceId: input,
    meta: {
      timings: {},
      detections: Detections.fromList(
        [
          { box: person(k), score: 0.93, classId: 0, label: 'person', trackId: 3 },
          {
            box: [left + 355, 0, left + 462, 285],
            score: 0.41,
            classId: 4,
            label: 'airplane',
            trackId: 7,
          },
        ],
        ['person', 'bicycle', 'car', 'motorcycle', 'airplane'],
      ),
      // The overlay draws its own line (options below); the snapshot only brings the totals.
      counts: { lines: { door: { in: 1, out: 0 } }, zones: {}, geometry: { lines: [], zones: [] } },
    },
  });
}

// Frames presented as a 25 fps stream: the HUD's rate comes from this clock.
let now = 0;
const clock: Clock = { ...systemClock, now: () => (now += 40) };

const op = (await overlayStage.create(
  {
    boxes: true,
    labels: true,
    scores: true,
    colorBy: 'auto',
    fontScale: 1,
    trails: 30,
    masks: true,
    maskOpacity: 0.4,
    maskContours: false,
    segmentation: true,
    segmentationOpacity: 0.4,
    hud: true,
    lines: [{ name: 'door', from: [left, 470], to: [left + 512, 440] }],
  },
  {
    name: 'overlay',
    clock,
    log: silentLogger,
    baseDir: '.',
    pool: new FramePool(),
    count: () => {},
    report: () => {},
    health: () => {},
    stream: undefined,
  },
)) as OperatorFunction<Frame, Frame>;
const annotated = await lastValueFrom(from(frames).pipe(op, toArray()));
const last = annotated[annotated.length - 1]!;

mkdirSync(dirname(output), { recursive: true });
// A 256-colour palette keeps the committed picture small; the annotations are
// flat colours, and dithering keeps the photo smooth.
execFileSync(
  ffmpegPath,
  [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p'],
    ...['-s', `${width}x${height}`, '-i', 'pipe:0', '-frames:v', '1'],
    ...['-vf', 'split[a][b];[a]palettegen=max_colors=256[p];[b][p]paletteuse=dither=sierra2_4a'],
    ...['-y', output],
  ],
  { input: last.data },
);
console.log(`${output}: ${width}×${height}, ${Math.round(statSync(output).size / 1024)} KB`);
