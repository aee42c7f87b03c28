import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { availableParallelism } from 'node:os';
import { FramewireError, redactUrl } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { stderrLogger, verboseLogger } from '../core/log.ts';
import { type ClassShare, classShares, type SemanticMap } from '../core/segmentation.ts';
import { Segmenter } from '../models/segmenter.ts';
import { tintSemantic } from '../overlay/semantic.ts';
import { type Command, EXIT } from './command.ts';
import { writeImage } from './media-io.ts';
import { stillOrFrames } from './still-or-frames.ts';
import { parseArgs } from './parse-args.ts';

const help = `Usage: framewire segment IMAGE|VIDEO [--model PATH] [options]

Labels every pixel with a semantic-segmentation model (U-Net, DeepLab, a
person segmenter) and prints each class's share of the image (or of every
frame of a video).

Options:
  --model PATH      model descriptor (.yaml) or ONNX file; default: the embedded
                    person segmenter (MediaPipe selfie, person/background)
  --threshold X     binary models: foreground above this probability (default 0.5)
  --json            machine-readable: {"width":W,"height":H,"classes":[{"label",
                    "pixels","fraction"}]} (a video: one line per frame, with "seq")
  --out FILE.png    write the image tinted by class (images only)
  --verbose         also show onnxruntime's own log

Examples:
  framewire segment photo.jpg
  framewire segment photo.jpg --model models/deeplab.yaml
  framewire segment photo.jpg --model unet.onnx --json --out mask.png`;

const IMAGE_EXTENSIONS = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.bmp',
  '.webp',
  '.tif',
  '.tiff',
  '.ppm',
]);

interface SegmentArgs {
  readonly input: string;
  readonly model: string | undefined;
  readonly threshold: number;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly out: string | undefined;
}

export const segmentCommand: Command = {
  name: 'segment',
  summary: 'label every pixel with a segmentation model and print class fractions',
  help,
  async run(argv) {
    const args = readArgs(argv);
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(args.input) && !existsSync(args.input)) {
      throw new FramewireError('SOURCE_OPEN', `cannot read ${args.input}: no such file`, {
        hint: 'give an image (PNG, JPEG, …) or a video file ffmpeg can decode',
      });
    }
    const segmenter = await Segmenter.open({
      model: args.model,
      threshold: args.threshold,
      threads: availableParallelism(),
      log: args.verbose ? verboseLogger : stderrLogger,
    });
    try {
      return await segmentAll(segmenter, args);
    } finally {
      await segmenter.close();
    }
  },
};

async function segmentAll(segmenter: Segmenter, args: SegmentArgs): Promise<number> {
  // As `detect`: an image prints one result, a video one line per frame.
  const still = await stillOrFrames(
    args.input,
    (frame) => segmenter.segment(frame),
    (frame, map) => printFrame(frame, map, args.json),
  );
  if (!still) return EXIT.ok;
  const { frame, result: map, ms } = still;
  const shares = classShares(map);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ width: map.width, height: map.height, classes: shares.map(shareJson) })}\n`,
    );
  } else {
    process.stdout.write(`${table(args.input, map, shares, ms)}\n`);
  }
  if (args.out) {
    tintSemantic(frame.data, map);
    await writeImage(args.out, frame.data, frame.width, frame.height);
    if (!args.json) process.stdout.write(`wrote ${args.out}\n`);
  }
  return EXIT.ok;
}

function shareJson(s: ClassShare) {
  return { classId: s.classId, label: s.label, pixels: s.pixels, fraction: s.fraction };
}

function printFrame(frame: Frame, map: SemanticMap, json: boolean): void {
  const shares = classShares(map);
  if (json) {
    const line = {
      seq: frame.seq,
      width: map.width,
      height: map.height,
      classes: shares.map(shareJson),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return;
  }
  const list = shares.map((s) => `${s.label} ${(s.fraction * 100).toFixed(1)}%`);
  process.stdout.write(`frame ${frame.seq}: ${list.join(', ')}\n`);
}

function table(input: string, map: SemanticMap, shares: readonly ClassShare[], ms: number): string {
  const head = `${redactUrl(input)}: ${map.width}x${map.height}, ${shares.length} class${shares.length === 1 ? '' : 'es'} (${Math.round(ms)} ms)`;
  const width = Math.max(5, ...shares.map((s) => s.label.length));
  const rows = shares.map(
    (s) =>
      `  ${s.label.padEnd(width)}  ${(s.fraction * 100).toFixed(1).padStart(5)}%  ${s.pixels} px`,
  );
  return [head, ...rows].join('\n');
}

function readArgs(argv: readonly string[]): SegmentArgs {
  const p = parseArgs(argv, { flags: ['json', 'verbose'], values: ['model', 'threshold', 'out'] });
  if (p.positional.length !== 1) {
    throw usage(
      p.positional.length === 0
        ? 'give an image or video to segment'
        : `expected one input, got ${p.positional.length}: ${p.positional.join(' ')}`,
    );
  }
  const input = p.positional[0]!;
  const out = p.values.get('out');
  if (out !== undefined && !IMAGE_EXTENSIONS.has(extname(input).toLowerCase())) {
    throw usage('--out writes a tinted image, so the input must be an image');
  }
  if (out !== undefined && !IMAGE_EXTENSIONS.has(extname(out).toLowerCase())) {
    throw usage(`--out ${out}: give an image file name such as mask.png`);
  }
  const raw = p.values.get('threshold');
  const threshold = raw === undefined ? 0.5 : Number(raw);
  if (!(threshold > 0 && threshold < 1)) {
    throw usage(`--threshold takes a number between 0 and 1 (exclusive), got ${raw}`);
  }
  return {
    input,
    model: p.values.get('model'),
    threshold,
    json: p.flags.has('json'),
    verbose: p.flags.has('verbose'),
    out,
  };
}

function usage(message: string): FramewireError {
  return new FramewireError('USAGE', message, {
    hint: 'framewire segment IMAGE|VIDEO [--model PATH] [--json] [--out mask.png]',
  });
}
