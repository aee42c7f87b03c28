import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, extname, join } from 'node:path';
import { FramewireError } from '../core/errors.ts';
import { stderrLogger } from '../core/log.ts';
import { formatSegmentationReport, SegmentationEvaluator } from '../eval/index.ts';
import { Segmenter } from '../models/segmenter.ts';
import { EXIT } from './command.ts';
import { readFrames } from './media-io.ts';
import { parseArgs } from './parse-args.ts';
import { readClassMask } from './read-mask.ts';

/** Appended to `framewire eval --help`: the `eval seg` sub-mode. */
export const evalSegHelp = `Usage: framewire eval seg --images DIR --masks DIR --model PATH [--ignore 255] [--json]

Scores a semantic-segmentation model against ground-truth masks: mIoU,
per-class IoU and pixel accuracy, over every labelled pixel of every image
(PASCAL VOC's way). Each image's mask is the PNG of the same name in --masks,
a palette PNG (VOC SegmentationClass) or greyscale, its values the class ids.

Options:
  --images DIR    the images (png, jpg, …; not recursive)
  --masks DIR     one mask PNG per image, same base name
  --model PATH    segmentation model descriptor (.yaml) or ONNX file
  --ignore N      mask value that marks pixels to skip (default 255, VOC's
                  borders; "none" counts every pixel)
  --json          print the scores as one JSON object

Example:
  framewire eval seg --images VOC2012/JPEGImages --masks VOC2012/SegmentationClass --model models/deeplab.yaml`;

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff']);

/** `framewire eval seg …` (the arguments after `seg`); resolves to the exit code. */
export async function runEvalSeg(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { flags: ['json'], values: ['images', 'masks', 'model', 'ignore'] });
  if (p.positional.length > 0) throw usage(`unexpected argument ${p.positional[0]}`);
  const imagesDir = p.values.get('images');
  const masksDir = p.values.get('masks');
  const model = p.values.get('model');
  if (!imagesDir || !masksDir || !model) throw usage('--images, --masks and --model are required');
  const ignore = readIgnore(p.values.get('ignore'));
  const pairs = await pairImages(imagesDir, masksDir);
  const segmenter = await Segmenter.open({
    model,
    threshold: 0.5,
    threads: availableParallelism(),
    log: stderrLogger,
  });
  const evaluator = new SegmentationEvaluator(ignore);
  let labels: readonly string[] = [];
  try {
    for (const { image, mask } of pairs) {
      const truth = await readClassMask(mask);
      for await (const frame of readFrames(image)) {
        if (frame.width !== truth.width || frame.height !== truth.height) {
          throw usage(
            `${mask} is ${truth.width}x${truth.height} but ${image} is ${frame.width}x${frame.height}`,
          );
        }
        const predicted = await segmenter.segment(frame);
        labels = predicted.labels;
        evaluator.add(predicted.classes, truth.classes);
        break; // a still image: the first frame only
      }
    }
  } finally {
    await segmenter.close();
  }
  const scores = evaluator.scores(labels);
  process.stdout.write(
    p.flags.has('json') ? `${JSON.stringify(scores)}\n` : `${formatSegmentationReport(scores)}\n`,
  );
  return EXIT.ok;
}

function readIgnore(text: string | undefined): number | undefined {
  if (text === undefined) return 255;
  if (text === 'none') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 255) {
    throw usage(`--ignore takes a mask value 0–255 or "none", got "${text}"`);
  }
  return n;
}

async function pairImages(imagesDir: string, masksDir: string) {
  let names: string[];
  try {
    names = await readdir(imagesDir);
  } catch {
    throw usage(`--images ${imagesDir}: no such directory`);
  }
  if (!existsSync(masksDir)) throw usage(`--masks ${masksDir}: no such directory`);
  const images = names.filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (images.length === 0) throw usage(`--images ${imagesDir}: no images`);
  return images.map((name) => {
    const mask = join(masksDir, `${basename(name, extname(name))}.png`);
    if (!existsSync(mask)) throw usage(`no mask for ${name}: ${mask} does not exist`);
    return { image: join(imagesDir, name), mask };
  });
}

function usage(message: string): FramewireError {
  return new FramewireError('USAGE', message, {
    hint: 'framewire eval seg --images DIR --masks DIR --model PATH',
  });
}
