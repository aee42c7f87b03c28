import { readdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, extname, join } from 'node:path';
import { FramewireError } from '../core/errors.ts';
import { stderrLogger } from '../core/log.ts';
import {
  type AnnotationSet,
  type DetectResult,
  type EvaluationReport,
  evaluateCocoResults,
  formatReport,
  type IouType,
  loadVocDataset,
  loadYoloDataset,
  parseCocoAnnotations,
  parseCocoResults,
  runEvaluation,
} from '../eval/index.ts';
import { Detector } from '../models/detector.ts';
import { type Command, EXIT } from './command.ts';
import { evalSegHelp, runEvalSeg } from './eval-seg.ts';
import { evalTrackHelp, runEvalTrack } from './eval-track.ts';
import { readFrames } from './media-io.ts';
import { parseArgs } from './parse-args.ts';

const help = `Usage: framewire eval --images DIR --annotations PATH [options]
       framewire eval --results FILE --annotations COCO.json [--iou-type segm]

Runs the detector on every image in DIR (or reads a COCO results file) and
scores it against ground truth, the COCO way: mAP@[.50:.95], mAP@.50, mAP@.75
and per-class AP, plus precision and recall at a score threshold. With
--iou-type segm it is mask mAP: overlap is mask IoU and object size mask area.

Options:
  --images DIR          the images (png, jpg, …; not recursive)
  --annotations PATH    COCO instances JSON, a directory of YOLO .txt labels, or a
                        directory (or one file) of Pascal VOC .xml
  --format F            coco | yolo | voc (default: from PATH: .json → coco,
                        .xml files → voc, .txt files → yolo)
  --model PATH          model descriptor (.yaml) or ONNX file; default: the embedded detector
  --results FILE        score a COCO results file ([{image_id, category_id, bbox |
                        segmentation, score}]) instead of running a model
  --iou-type T          bbox (default) | segm: masks, for instance-segmentation
                        models and COCO annotations with polygons or RLE
  --confidence X        lowest score kept for the evaluation (default 0.05)
  --json                print the full result as JSON

YOLO labels carry class ids only: they are named with the model's labels.

Examples:
  framewire eval --images coco/val2017 --annotations coco/annotations/instances_val2017.json
  framewire eval --images data/images --annotations data/labels --model models/yolov8n.yaml
  framewire eval --results segm_results.json --annotations instances_val2017.json --iou-type segm`;

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff']);
type Format = 'coco' | 'yolo' | 'voc';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'score a model on an annotated image set (COCO, YOLO or VOC): mAP, AP per class',
  help: `${help}\n\n${evalTrackHelp}\n\n${evalSegHelp}`,
  async run(argv) {
    if (argv[0] === 'track') return runEvalTrack(argv.slice(1));
    if (argv[0] === 'seg') return runEvalSeg(argv.slice(1));
    const p = parseArgs(argv, {
      flags: ['json'],
      values: ['images', 'annotations', 'format', 'model', 'confidence', 'results', 'iou-type'],
    });
    if (p.positional.length > 0) throw usage(`unexpected argument ${p.positional[0]}`);
    const iouType = iouTypeOf(p.values.get('iou-type'));
    const imagesDir = p.values.get('images');
    const annotations = p.values.get('annotations');
    const resultsFile = p.values.get('results');
    if (resultsFile !== undefined) {
      if (!annotations) throw usage('--results needs --annotations (COCO JSON)');
      for (const option of ['images', 'model', 'confidence'] as const) {
        if (p.values.has(option)) {
          throw usage(`--${option} and --results: a results file is scored as it is`);
        }
      }
      const report = await scoreResultsFile(
        resultsFile,
        annotations,
        p.values.get('format'),
        iouType,
      );
      print(report, p.flags.has('json'));
      return EXIT.ok;
    }
    if (!imagesDir || !annotations) {
      throw usage('--images and --annotations are required (or --results and --annotations)');
    }
    const confidence = Number(p.values.get('confidence') ?? '0.05');
    if (!Number.isFinite(confidence) || confidence < 0 || confidence > 1) {
      throw usage(
        `--confidence must be a number between 0 and 1, got "${p.values.get('confidence')}"`,
      );
    }
    const images = await listImages(imagesDir);
    const format = await formatOf(annotations, p.values.get('format'));
    if (iouType === 'segm' && format !== 'coco') {
      throw usage(
        `--iou-type segm needs COCO annotations with "segmentation", not ${format}`,
        'give a COCO instances .json',
      );
    }
    const model = p.values.get('model');
    // COCO and VOC files are checked before the (slow) detection pass; YOLO labels
    // need each image's size, which decoding provides.
    const early =
      format === 'yolo'
        ? undefined
        : await loadAnnotations(format, annotations, [], new Map(), [], iouType);

    const detector = await Detector.open({
      ...(model !== undefined ? { model } : {}),
      confidence,
      iou: 0.45,
      maxDetections: 100,
      threads: availableParallelism(),
      log: stderrLogger,
    });
    const results: DetectResult[] = [];
    const sizes = new Map<string, { width: number; height: number }>();
    try {
      for (const image of images) {
        for await (const frame of readFrames(image)) {
          const size = { width: frame.width, height: frame.height };
          sizes.set(image, size);
          // Masks travel as COCO RLE of the whole image, which needs its size.
          const detections = await detector.detect(frame);
          results.push({
            image,
            detections: detections.toList(iouType === 'segm' ? size : undefined),
          });
          break; // a still image: the first frame only
        }
      }
    } finally {
      await detector.close();
    }

    const set =
      early ?? (await loadAnnotations(format, annotations, images, sizes, detector.spec.labels));
    print(runEvaluation(results, set, { iouType }), p.flags.has('json'));
    return EXIT.ok;
  },
};

function print(report: EvaluationReport, json: boolean): void {
  process.stdout.write(`${json ? JSON.stringify(report) : formatReport(report)}\n`);
}

function iouTypeOf(given: string | undefined): IouType {
  if (given === undefined || given === 'bbox' || given === 'segm') return given ?? 'bbox';
  throw usage(`--iou-type "${given}" is not one of bbox, segm`, 'segm scores masks, bbox boxes');
}

/** A COCO results file against COCO annotations, as pycocotools' `loadRes` + `COCOeval`. */
async function scoreResultsFile(
  path: string,
  annotations: string,
  format: string | undefined,
  iouType: IouType,
): Promise<EvaluationReport> {
  if (format !== undefined && format !== 'coco') {
    throw usage(`--results needs COCO annotations, not --format ${format}`);
  }
  const set = await loadAnnotations('coco', annotations, [], new Map(), [], iouType);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw usage(`--results ${path}: ${(err as Error).message}`);
  }
  return evaluateCocoResults(parseCocoResults(text, { masks: iouType === 'segm' }), set, {
    iouType,
  });
}

async function listImages(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usage(
      `--images ${dir}: ${code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (err as Error).message}`,
    );
  }
  const images = names.filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (images.length === 0)
    throw usage(`--images ${dir}: no images (${[...IMAGE_EXTENSIONS].join(', ')})`);
  return images.map((n) => join(dir, n));
}

async function formatOf(path: string, given: string | undefined): Promise<Format> {
  if (given !== undefined) {
    if (given === 'coco' || given === 'yolo' || given === 'voc') return given;
    throw usage(`--format "${given}" is not one of coco, yolo, voc`);
  }
  const info = await stat(path).catch(() => {
    throw usage(`--annotations ${path}: no such file or directory`);
  });
  if (!info.isDirectory()) {
    if (extname(path).toLowerCase() === '.json') return 'coco';
    if (extname(path).toLowerCase() === '.xml') return 'voc';
    throw usage(`--annotations ${path}: cannot tell the format`, 'add --format coco|yolo|voc');
  }
  const files = await readdir(path);
  if (files.some((f) => f.endsWith('.xml'))) return 'voc';
  if (files.some((f) => f.endsWith('.txt'))) return 'yolo';
  throw usage(
    `--annotations ${path}: no .xml or .txt label files in it`,
    'add --format coco|yolo|voc',
  );
}

async function loadAnnotations(
  format: Format,
  path: string,
  images: readonly string[],
  sizes: Map<string, { width: number; height: number }>,
  labels: readonly string[],
  iouType: IouType = 'bbox',
): Promise<AnnotationSet> {
  if (format === 'coco') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw usage(`--annotations ${path}: ${(err as Error).message}`);
    }
    return parseCocoAnnotations(text, { masks: iouType === 'segm' });
  }
  if (format === 'yolo') {
    return loadYoloDataset({
      images: images.filter((i) => sizes.has(i)),
      sizeOf: (image) => sizes.get(image)!,
      names: labels,
      labelPathOf: (image) => join(path, `${basename(image, extname(image))}.txt`),
    });
  }
  const isDir = (await stat(path)).isDirectory();
  const files = isDir
    ? (await readdir(path))
        .filter((f) => f.endsWith('.xml'))
        .sort()
        .map((f) => join(path, f))
    : [path];
  return loadVocDataset({ files });
}

function usage(message: string, hint?: string): FramewireError {
  return new FramewireError('USAGE', message, hint ? { hint } : {});
}
