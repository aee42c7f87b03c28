// The peer: the same annotate-a-file job written the way a Python user would
// (bench/peer/pipeline.py: OpenCV VideoCapture → letterbox → onnxruntime or
// cv2.dnn → decode → cv2.dnn.NMSBoxes → cv2.rectangle/putText → VideoWriter
// 'avc1'), on the same file and model, in the same run as framewire's pipeline
// and bare inference.
import { execFile } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { silentLogger } from '../src/core/log.ts';
import { EMBEDDED_MODEL, prepareEmbeddedModel } from '../src/models/embedded.ts';
import { openOnnxSession } from '../src/models/session.ts';
import { pipelineFps } from './detect.ts';
import { compareDetections, readDetections } from './peer-agreement.ts';
import { buildYolov8n, YOLO_SIZE } from './peer-yolo.ts';
import type { BenchRow } from './report.ts';
import { median, medianRunMs } from './session-timing.ts';
import { threadBudget } from '../src/core/thread-budget.ts';
import { inferenceSessions } from '../src/stages/inference-options.ts';

const exec = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./peer/pipeline.py', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
const IMAGES = ['astronaut', 'chelsea', 'coffee', 'motorcycle_left'];
/** Frames per second of the test video (a second per photo), and rounds per measurement. */
const RATE = 12;
const ROUNDS = 3;

/** Debian's python3 (python3-opencv); FRAMEWIRE_BENCH_PYTHON picks another, e.g. a venv with onnxruntime. */
export const peerPython = () => process.env.FRAMEWIRE_BENCH_PYTHON ?? '/usr/bin/python3';

type Runtime = 'ort' | 'cv2dnn';
interface Probe {
  cv2?: string;
  onnxruntime?: string;
  cv2_error?: string;
  onnxruntime_error?: string;
}

async function probe(python: string): Promise<Probe | string> {
  if (!existsSync(python)) return `${python} is missing`;
  try {
    const { stdout } = await exec(python, [SCRIPT, 'probe']);
    return JSON.parse(stdout) as Probe;
  } catch (err) {
    return `${python} ${SCRIPT} probe failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

/**
 * 720p H.264 from the test fixtures' photos (a person, a cat, a cup, a
 * motorcycle), each a second, panning: real objects, so both sides find boxes.
 */
async function makePeerVideo(path: string, rate: number): Promise<string> {
  const inputs = IMAGES.flatMap((name) => [
    '-loop',
    '1',
    '-framerate',
    String(rate),
    '-t',
    '1',
    '-i',
    join(FIXTURES, `${name}.png`),
  ]);
  const pan = IMAGES.map(
    (_, i) =>
      `[${i}]scale=1440:810:force_original_aspect_ratio=increase,crop=1280:720:x='(iw-1280)*t':y='(ih-720)*t',setsar=1,format=yuv420p[v${i}]`,
  );
  const concat = `${IMAGES.map((_, i) => `[v${i}]`).join('')}concat=n=${IMAGES.length}[out]`;
  await exec(ffmpegPath, [
    ...['-hide_banner', '-loglevel', 'error', ...inputs],
    ...['-filter_complex', `${pan.join(';')};${concat}`, '-map', '[out]'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', path],
  ]);
  return path;
}

/** The codec of a file's video stream, as ffmpeg names it (`h264 (High)`). */
async function videoCodec(path: string): Promise<string> {
  const { stderr } = await exec(ffmpegPath, ['-hide_banner', '-i', path]).catch(
    (err: { stderr?: string }) => ({ stderr: err.stderr ?? '' }),
  );
  return /Video: ([^,]+?)(?: \(\w+ \/ 0x[0-9a-f]+\))?,/.exec(stderr)?.[1] ?? 'unknown';
}

interface PeerRun {
  fps?: number;
  skipped?: string;
}

/** One model both sides run: how the peer reads it, and how framewire's detect stage is told. */
interface PeerModel {
  title: string;
  path: string;
  family: 'centernet' | 'yolov8';
  size: number;
  input: { name: string; dims: number[] };
  video: string;
  frames: number;
  threads: number[];
}

async function runPeer(
  python: string,
  runtime: Runtime,
  model: PeerModel,
  threads: number,
  out: { video: string; detections: string },
): Promise<PeerRun> {
  const { stdout } = await exec(
    python,
    [
      SCRIPT,
      'run',
      ...['--model', model.path, '--family', model.family, '--size', String(model.size)],
      ...['--runtime', runtime, '--threads', String(threads)],
      ...['--input', model.video, '--output', out.video, '--detections', out.detections],
      ...['--labels', JSON.stringify(EMBEDDED_MODEL.labels)],
      ...['--confidence', '0.4', '--iou', '0.45', '--max-detections', '100'],
    ],
    { maxBuffer: 1 << 20 },
  );
  const last = stdout.trim().split('\n').at(-1) ?? '{}';
  const result = JSON.parse(last) as PeerRun & { frames?: number };
  if (result.skipped === undefined && result.frames !== model.frames) {
    throw new Error(`the peer wrote ${result.frames} frames, expected ${model.frames}`);
  }
  return result;
}

/** Bare inference: `session.run` in a loop on one fixed input, nothing else (median ms). */
async function bareMs(model: PeerModel, threads: number, runs: number): Promise<number> {
  const session = await openOnnxSession(model.path, { threads, log: silentLogger });
  const size = model.input.dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 7919) % 255;
  const feed = { [model.input.name]: { type: 'float32' as const, data, dims: model.input.dims } };
  const ms = await medianRunMs(() => session.run(feed), runs);
  await session.close();
  return ms;
}

/**
 * How framewire's side encodes: `matched` is an `encode` stage at its defaults
 * (x264 preset medium, as OpenCV's VideoWriter uses, at 0.1 bit a pixel);
 * `default` is no encode stage, so the file sink's own (x264 veryfast, crf 23),
 * which is what a framewire user gets who writes only the sink.
 */
type Encoding = 'matched' | 'default';
const ENCODINGS: readonly Encoding[] = ['matched', 'default'];
const ENCODING_LABEL: Record<Encoding, string> = {
  matched: 'encode stage, x264 medium as the peer',
  default: "the file sink's own encoder, x264 veryfast crf 23",
};

/**
 * One way framewire runs the job at a thread count: one session with that many
 * threads (as the peer runs one), or, at the thread budget's count, the detect
 * stage's own default (its sessions side by side); and either encoder.
 */
interface FramewireSide {
  readonly key: string;
  readonly label: string;
  /** The detect stage's `threads`; undefined leaves threads and instances to the stage. */
  readonly threads: number | undefined;
  readonly encoding: Encoding;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function framewireSides(threads: number, chosen: number): FramewireSide[] {
  const defaults = inferenceSessions({}, { threads: threadBudget({ inference: 1, encode: true }) });
  const sessions = [
    { key: `one-${threads}`, label: `1 session × ${plural(threads, 'thread')}`, threads },
    ...(threads === chosen && defaults.instances > 1
      ? [
          {
            key: 'defaults',
            label: `the stage's defaults, ${defaults.instances} sessions × ${plural(defaults.threads, 'thread')}`,
            threads: undefined,
          },
        ]
      : []),
  ];
  return sessions.flatMap((s) =>
    ENCODINGS.map((encoding) => ({
      key: `${s.key}-${encoding}`,
      label: `framewire (${s.label}; ${ENCODING_LABEL[encoding]})`,
      threads: s.threads,
      encoding,
    })),
  );
}

/** framewire's side: the same job as a pipeline, its boxes also written to `${out}.jsonl`. */
function framewireFps(model: PeerModel, side: FramewireSide, out: string): Promise<number> {
  const custom = model.family === 'centernet' ? '' : `model: ${model.path}, `;
  const threads = side.threads === undefined ? '' : `threads: ${side.threads}, `;
  const encoding = side.encoding;
  return pipelineFps(
    `source: { type: file, path: ${model.video} }
stages:
  - { type: detect, ${custom}${threads}confidence: 0.4, iou: 0.45, maxDetections: 100 }
  - { type: overlay }${encoding === 'matched' ? '\n  - { type: encode }' : ''}
sinks:
  - { type: file, path: ${out}.mp4 }
  - { type: jsonl, path: ${out}.jsonl }
`,
    model.frames,
  );
}

/** What the peer wrote, and how far the two pipelines' boxes agree. */
async function agreementLine(
  model: PeerModel,
  peerLabel: string,
  fwOut: string,
  peerOut: string,
): Promise<string> {
  const codec = await videoCodec(`${peerOut}.mp4`);
  const agree = compareDetections(
    readDetections(`${fwOut}.jsonl`),
    readDetections(`${peerOut}.jsonl`),
  );
  return `Same job, ${model.title}, ${peerLabel}: the peer wrote ${codec} (checked with ffmpeg); over ${agree.frames} frames framewire found ${agree.boxesA} boxes and the peer ${agree.boxesB}, the same count in ${agree.sameCount} frames, ${(100 * agree.matchedShare).toFixed(0)} % of the boxes paired (same class, IoU ≥ 0.5) with a mean IoU of ${agree.meanIou.toFixed(3)}.`;
}

/** SSIM of a written video against its source, in dB (ffmpeg's ssim filter). */
async function ssimDb(path: string, source: string): Promise<number> {
  const { stderr } = await exec(ffmpegPath, [
    ...['-hide_banner', '-i', path, '-i', source],
    ...['-lavfi', 'ssim', '-f', 'null', '-'],
  ]);
  const db = /All:[\d.]+ \(([\d.]+|inf)\)/.exec(stderr)?.[1];
  if (db === undefined) throw new Error(`ffmpeg's ssim filter printed no score for ${path}`);
  return Number(db);
}

/**
 * What each side's encoding buys, apart from the job: the source clip through
 * framewire's encoder both ways and through the peer's VideoWriter, nothing
 * drawn, each file's size and its SSIM against the source.
 */
async function encodingLine(
  python: string,
  model: PeerModel,
  dir: string,
  peerLabel: string,
): Promise<string> {
  const files: [label: string, path: string][] = [];
  for (const encoding of ENCODINGS) {
    const out = join(dir, `encoding-${encoding}.mp4`);
    const encode = encoding === 'matched' ? 'stages: [ { type: encode } ]\n' : '';
    await pipelineFps(
      `source: { type: file, path: ${model.video} }\n${encode}sinks: [ { type: file, path: ${out} } ]\n`,
      model.frames,
    );
    files.push([`framewire (${ENCODING_LABEL[encoding]})`, out]);
  }
  const peerOut = join(dir, 'encoding-peer.mp4');
  await exec(python, [SCRIPT, 'encode', '--input', model.video, '--output', peerOut]);
  files.push([`${peerLabel}'s VideoWriter`, peerOut]);
  const parts: string[] = [];
  for (const [label, path] of files) {
    const kb = statSync(path).size / 1024;
    parts.push(
      `${label} ${kb.toFixed(0)} KB, SSIM ${(await ssimDb(path, model.video)).toFixed(2)} dB`,
    );
  }
  return `What the encoders buy, on ${model.title}'s clip alone (nothing drawn; SSIM against the source, higher is closer): ${parts.join('; ')}.`;
}

const RUNTIME_LABEL = (runtime: Runtime, found: Probe) =>
  runtime === 'ort'
    ? `Python + OpenCV ${found.cv2} + onnxruntime ${found.onnxruntime}`
    : `Python + OpenCV ${found.cv2} (cv2.dnn)`;

export async function peerBench(dir: string): Promise<{ rows: BenchRow[]; lines: string[] }> {
  const python = peerPython();
  const found = await probe(python);
  if (typeof found === 'string' || !found.cv2) {
    const why = typeof found === 'string' ? found : `cv2 is not importable (${found.cv2_error})`;
    return {
      rows: [],
      lines: [`Skipped: ${why}. Install Debian's python3-opencv (apt-get install python3-opencv).`],
    };
  }
  const lines: string[] = [];
  const runtimes: Runtime[] = found.onnxruntime ? ['ort', 'cv2dnn'] : ['cv2dnn'];
  if (!found.onnxruntime) {
    lines.push(
      `onnxruntime is not importable by ${python} (${found.onnxruntime_error}): the peer runs on cv2.dnn only. For the onnxruntime peer, set FRAMEWIRE_BENCH_PYTHON to a python that has it (e.g. a \`python3 -m venv --system-site-packages\` venv with \`pip install onnxruntime\`).`,
    );
  }
  // The detect stage's default in this pipeline (the thread budget), and 1 beside it.
  const chosen = threadBudget({ inference: 1, encode: true }).inference;
  const yolo = buildYolov8n();
  const yoloPath = join(dir, 'yolov8n-shaped.onnx');
  writeFileSync(yoloPath, yolo.onnx);
  const [, h, w, c] = EMBEDDED_MODEL.input.shape;
  const models: PeerModel[] = [
    {
      title: 'CenterNet 512 (default detector)',
      path: await prepareEmbeddedModel({ log: silentLogger }),
      family: 'centernet',
      size: h,
      input: { name: EMBEDDED_MODEL.input.name, dims: [1, h, w, c] },
      video: await makePeerVideo(join(dir, 'peer-720p.mp4'), RATE),
      frames: IMAGES.length * RATE,
      threads: [...new Set([1, chosen])],
    },
    {
      // Heavier per frame: fewer frames, and the chosen thread count only, to keep the section short.
      title: `YOLOv8n-shaped 640 (${(yolo.params / 1e6).toFixed(2)} M random weights)`,
      path: yoloPath,
      family: 'yolov8',
      size: YOLO_SIZE,
      input: { name: 'images', dims: [1, 3, YOLO_SIZE, YOLO_SIZE] },
      video: await makePeerVideo(join(dir, 'peer-720p-6fps.mp4'), RATE / 2),
      frames: (IMAGES.length * RATE) / 2,
      threads: [chosen],
    },
  ];
  const rows: BenchRow[] = [];
  for (const model of models) {
    const skipped = new Set<Runtime>();
    for (const threads of model.threads) {
      const sides = framewireSides(threads, chosen);
      const fw = new Map<string, number[]>(sides.map((side) => [side.key, []]));
      const bare: number[] = [];
      const peers = new Map<Runtime, number[]>();
      const fwOut = (key: string) => join(dir, `peer-framewire-${key}-${model.family}-${threads}`);
      const peerOut = (r: Runtime) => join(dir, `peer-${r}-${model.family}-${threads}`);
      // Alternating rounds, medians: the machine's load moves between runs.
      for (let round = 0; round < ROUNDS; round++) {
        for (const side of sides) {
          fw.get(side.key)!.push(await framewireFps(model, side, fwOut(side.key)));
        }
        for (const runtime of runtimes) {
          if (skipped.has(runtime)) continue;
          const peer = await runPeer(python, runtime, model, threads, {
            video: `${peerOut(runtime)}.mp4`,
            detections: `${peerOut(runtime)}.jsonl`,
          });
          if (peer.skipped !== undefined) {
            skipped.add(runtime);
            lines.push(
              `${RUNTIME_LABEL(runtime, found)} cannot run ${model.title}, skipped: ${peer.skipped}.`,
            );
            continue;
          }
          peers.set(runtime, [...(peers.get(runtime) ?? []), peer.fps!]);
          if (round === 0 && threads === model.threads[0]) {
            const label = RUNTIME_LABEL(runtime, found);
            lines.push(await agreementLine(model, label, fwOut(sides[0]!.key), peerOut(runtime)));
          }
        }
        bare.push(1000 / (await bareMs(model, threads, 20)));
      }
      if (model === models[0] && threads === model.threads[0]) {
        lines.push(await encodingLine(python, model, dir, `OpenCV ${found.cv2}`));
      }
      const name = `${model.title}, 720p file → detect → overlay → H.264 → file, threads ${threads}`;
      for (const side of sides) {
        const fps = median(fw.get(side.key)!);
        for (const [runtime, values] of peers) {
          rows.push({
            name: `${name}: ${side.label} vs ${RUNTIME_LABEL(runtime, found)}`,
            a: { label: 'framewire fps', value: fps },
            b: { label: 'Python fps', value: median(values) },
            ratio: fps / median(values),
            target: 1.5,
          });
        }
        rows.push({
          name: `${name}: ${side.label} vs bare session.run (onnxruntime-node, ${plural(threads, 'thread')})`,
          a: { label: 'framewire fps', value: fps },
          b: { label: 'bare fps', value: median(bare) },
          ratio: fps / median(bare),
          target: 0.9,
        });
      }
    }
  }
  return { rows, lines };
}
