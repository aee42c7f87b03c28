import { readFile } from 'node:fs/promises';
import { FramewireError } from '../core/errors.ts';
import { evaluateMot } from '../eval/mot/evaluate-mot.ts';
import { formatMotReport } from '../eval/mot/format-mot.ts';
import { MotParseError, type MotSequence, parseMot } from '../eval/mot/mot-file.ts';
import { EXIT } from './command.ts';
import { parseArgs } from './parse-args.ts';

/** Appended to `framewire eval --help`: the `eval track` sub-mode. */
export const evalTrackHelp = `Usage: framewire eval track --gt GT.txt --results RESULTS.txt [--iou 0.5] [--json]

Scores tracker output against MOTChallenge ground truth with the CLEAR-MOT and
identity metrics, as py-motmetrics and the MOTChallenge devkit define them:
MOTA, MOTP, IDF1, IDP, IDR, recall, precision, ID switches, fragmentations,
mostly tracked / partially tracked / mostly lost, FP, FN.

Both files are MOTChallenge text: frame,id,x,y,w,h,conf,… (1-based frames,
top-left corner and size in pixels). Ground-truth rows with conf 0 are ignored.
MOTP is the mean 1 - IoU of matched pairs (py-motmetrics); the JSON also has
motpIou, the mean IoU (the devkit's MOTP).

Options:
  --gt PATH         ground truth (e.g. MOT17-02/gt/gt.txt)
  --results PATH    tracker output (e.g. from framewire export mot)
  --iou X           least IoU for a match (default 0.5)
  --json            print the metrics as one JSON object (camelCase keys)

Example:
  framewire export mot out/detections.jsonl --out res.txt
  framewire eval track --gt MOT17-02/gt/gt.txt --results res.txt`;

/** `framewire eval track …` (the arguments after `track`); resolves to the exit code. */
export async function runEvalTrack(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { flags: ['json'], values: ['gt', 'results', 'iou'] });
  if (p.positional.length > 0) throw usage(`unexpected argument ${p.positional[0]}`);
  const gtPath = p.values.get('gt');
  const resultsPath = p.values.get('results');
  if (!gtPath || !resultsPath) throw usage('--gt and --results are required');
  const iouText = p.values.get('iou') ?? '0.5';
  const iou = Number(iouText);
  if (!Number.isFinite(iou) || iou <= 0 || iou > 1) {
    throw usage(`--iou must be a number in (0, 1], got "${iouText}"`);
  }
  const gt = await load(gtPath, '--gt', true);
  const results = await load(resultsPath, '--results', false);
  const metrics = evaluateMot(gt, results, iou);
  process.stdout.write(
    p.flags.has('json') ? `${JSON.stringify(metrics)}\n` : `${formatMotReport(metrics)}\n`,
  );
  return EXIT.ok;
}

async function load(path: string, option: string, isGt: boolean): Promise<MotSequence> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usage(
      `${option} ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  try {
    return parseMot(text, { ignoreZeroConf: isGt });
  } catch (err) {
    if (err instanceof MotParseError) throw usage(`${option} ${path}: ${err.message}`);
    throw err;
  }
}

function usage(message: string): FramewireError {
  return new FramewireError('USAGE', message);
}
