import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Detections } from '../core/detections.ts';
import { FramewireError, redactUrl } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { stderrLogger, verboseLogger } from '../core/log.ts';
import { Detector } from '../models/detector.ts';
import { PROVIDERS, type Provider } from '../models/session.ts';
import { type Command, EXIT } from './command.ts';
import { drawBoxes } from './draw-boxes.ts';
import { writeImage } from './media-io.ts';
import { stillOrFrames } from './still-or-frames.ts';
import { parseArgs } from './parse-args.ts';

const help = `Usage: framewire detect IMAGE|VIDEO [options]

Detects objects in an image (or every frame of a video) and prints them.

Options:
  --model PATH        model descriptor (.yaml) or ONNX file; default: the embedded COCO detector
  --confidence X      minimum score, 0–1 (default 0.4)
  --iou X             NMS overlap threshold, 0–1 (default 0.45)
  --classes A,B       keep only these labels (e.g. person,car)
  --providers A,B     execution providers to try in order (${PROVIDERS.join(', ')}; default cpu)
  --json              machine-readable output: {"width":W,"height":H,"detections":[...]}
                      (a video prints one such line per frame, with "seq")
  --out FILE.png      write the image with the boxes drawn (images only)
  --verbose           also show onnxruntime's own log (warnings about the model file)

Boxes are [x1, y1, x2, y2] in the input's pixels.

Examples:
  framewire detect photo.jpg
  framewire detect photo.jpg --json --confidence 0.5
  framewire detect street.mp4 --model models/yolov8n.yaml --classes person,car --json
  framewire detect photo.jpg --out annotated.png`;

/** Extensions decoded as a single still image; anything else may be a video. */
const IMAGE_EXTENSIONS = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.bmp',
  '.webp',
  '.tif',
  '.tiff',
  '.ppm',
  '.pgm',
]);

interface DetectArgs {
  input: string;
  model: string | undefined;
  confidence: number;
  iou: number;
  classes: string[] | undefined;
  providers: Provider[];
  json: boolean;
  /** Let onnxruntime's own log through. */
  verbose: boolean;
  out: string | undefined;
}

export const detectCommand: Command = {
  name: 'detect',
  summary: 'detect objects in an image or video and print them (table or JSON)',
  help,
  async run(argv) {
    const args = readArgs(argv);
    // Fail before the (slow) model load when the input is plainly not there.
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(args.input) && !existsSync(args.input)) {
      throw new FramewireError('SOURCE_OPEN', `cannot read ${args.input}: no such file`, {
        hint: 'give an image (PNG, JPEG, …) or a video file ffmpeg can decode',
      });
    }
    const detector = await Detector.open({
      ...(args.model !== undefined ? { model: args.model } : {}),
      confidence: args.confidence,
      iou: args.iou,
      maxDetections: 100,
      ...(args.classes ? { classes: args.classes } : {}),
      providers: args.providers,
      threads: availableParallelism(),
      log: args.verbose ? verboseLogger : stderrLogger,
    });
    try {
      return await detectAll(detector, args);
    } finally {
      await detector.close();
    }
  },
};

async function detectAll(detector: Detector, args: DetectArgs): Promise<number> {
  // An image prints one object (or a table), a video one line per frame.
  const still = await stillOrFrames(
    args.input,
    (frame) => detector.detect(frame),
    (frame, found) => printFrame(frame, found, args.json),
  );
  if (!still) return EXIT.ok;
  const { frame, result: found, ms } = still;
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ width: frame.width, height: frame.height, detections: found.toList(frame) })}\n`,
    );
  } else {
    process.stdout.write(`${table(args.input, frame, found, ms, detector.spec.labelsFrom)}\n`);
  }
  if (args.out) {
    drawBoxes(frame.data, frame.width, frame.height, found);
    await writeImage(args.out, frame.data, frame.width, frame.height);
    if (!args.json) process.stdout.write(`wrote ${args.out}\n`);
  }
  return EXIT.ok;
}

function printFrame(frame: Frame, found: Detections, json: boolean): void {
  if (json) {
    const line = {
      seq: frame.seq,
      width: frame.width,
      height: frame.height,
      detections: found.toList(frame),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return;
  }
  const list = found.toList().map((d) => `${d.label} ${d.score.toFixed(2)}`);
  process.stdout.write(`frame ${frame.seq}: ${list.length ? list.join(', ') : 'nothing'}\n`);
}

function table(
  input: string,
  frame: Frame,
  found: Detections,
  ms: number,
  labelsFrom: string,
): string {
  const rows = found
    .toList()
    .map((d) => [d.label, d.score.toFixed(2), d.box.map((v) => Math.round(v)).join(', ')]);
  const head = `${redactUrl(input)}: ${frame.width}x${frame.height}, ${rows.length} detection${rows.length === 1 ? '' : 's'} (${Math.round(ms)} ms; labels: ${labelsFrom})`;
  if (rows.length === 0) return head;
  const all = [['label', 'score', 'box x1, y1, x2, y2'], ...rows];
  const widths = [0, 1].map((c) => Math.max(...all.map((r) => r[c]!.length)));
  const lines = all.map(
    (r) => `  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]}`,
  );
  return [head, ...lines].join('\n');
}

function readArgs(argv: readonly string[]): DetectArgs {
  const p = parseArgs(argv, {
    flags: ['json', 'verbose'],
    values: ['model', 'confidence', 'iou', 'classes', 'providers', 'out'],
  });
  if (p.positional.length !== 1) {
    throw usage(
      p.positional.length === 0
        ? 'give an image or video to detect in'
        : `expected one input, got ${p.positional.length}: ${p.positional.join(' ')}`,
      'framewire detect IMAGE|VIDEO [--model PATH] [--confidence X] [--json] [--out FILE.png]',
    );
  }
  const input = p.positional[0]!;
  const out = p.values.get('out');
  if (out !== undefined && !IMAGE_EXTENSIONS.has(extname(input).toLowerCase())) {
    throw usage(
      '--out writes an annotated image, so the input must be an image',
      'for annotated video, run a pipeline with the overlay stage and a file sink',
    );
  }
  if (out !== undefined && !IMAGE_EXTENSIONS.has(extname(out).toLowerCase())) {
    throw usage(`--out ${out}: give an image file name such as annotated.png`);
  }
  const providers = list(p.values.get('providers')) ?? ['cpu'];
  for (const name of providers) {
    if (!(PROVIDERS as readonly string[]).includes(name)) {
      throw usage(`--providers: unknown provider "${name}"`, `allowed: ${PROVIDERS.join(', ')}`);
    }
  }
  return {
    input,
    model: p.values.get('model'),
    confidence: fraction(p.values.get('confidence'), 'confidence', 0.4),
    iou: fraction(p.values.get('iou'), 'iou', 0.45),
    classes: list(p.values.get('classes')),
    providers: providers as Provider[],
    json: p.flags.has('json'),
    verbose: p.flags.has('verbose'),
    out,
  };
}

function fraction(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw usage(`--${name} must be a number between 0 and 1, got "${text}"`);
  }
  return v;
}

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

function usage(message: string, hint?: string): FramewireError {
  return new FramewireError('USAGE', message, hint ? { hint } : {});
}
