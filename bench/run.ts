// `npm run bench [decode|detect|annotate ...]`: side-by-side measurements, printed and
// written to BENCHMARKS.md. Never part of `npm test`: speed is measured here, not
// asserted in tests.
import { join } from 'node:path';
import { tempDir } from '../test/helpers/media.ts';
import { annotateBench } from './annotate.ts';
import { decodeBench } from './decode.ts';
import { detectBench } from './detect.ts';
import { effectsBench } from './effects.ts';
import { intervalBench } from './interval.ts';
import { masksBench } from './masks.ts';
import { peerBench } from './peer.ts';
import { type BenchRow, formatRows, writeReport } from './report.ts';
import { rtspBench } from './rtsp.ts';
import { segmentBench } from './segment.ts';
import { threadsBench } from './threads.ts';
import { websocketBench } from './websocket.ts';

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);
const { dir, cleanup } = tempDir('framewire-bench-');
const sections: { title: string; note: string; rows: BenchRow[]; extra?: string }[] = [];
try {
  if (wanted('decode')) {
    const rows = await decodeBench(dir);
    console.log(formatRows(rows));
    sections.push({
      title: 'Decode throughput',
      note: 'Frames delivered into the pipeline per second by `file → null`, against the same bundled ffmpeg decoding the same file to the same raw pixel format into /dev/null. H.264 → yuv420p goes through the default in-process WebCodecs decoder; rgb24 needs ffmpeg to convert, so it goes through the pipe. Target ≥ 0.8 for yuv420p.',
      rows,
    });
  }
  if (wanted('detect')) {
    const { rows, latency } = await detectBench(dir);
    console.log(`default-model inference latency: ${latency}`);
    console.log(formatRows(rows));
    sections.push({
      title: 'Detection',
      note: `Default model (CenterNet, 512×512) inference latency, bare \`session.run\`: ${latency}. Pipeline throughput of \`file (720p H.264) → detect → null\` against a bare \`session.run\` loop with the same threads (decode, preprocessing, output decoding and NMS are the difference): one session of 1 and of 2 threads, then the stage's defaults (the thread budget's sessions: on 2 cores two of 1 thread, side by side) against one bare session of 2 threads. Target ≥ 0.9. Inference runs on worker threads overlapped with the rest (README "Threads and cores"), and the thread-scaling section compares sessions, threads and spinning.`,
      rows,
    });
  }
  if (wanted('threads')) {
    const { table } = await threadsBench(dir);
    console.log(table);
    sections.push({
      title: 'Thread scaling',
      note: `Default model (CenterNet, 512×512): bare inference against \`file (720p H.264) → detect → null\` with the same \`instances\`, \`threads\` and \`spinning\`, every case once per round, interleaved, medians over ${process.env.FRAMEWIRE_BENCH_THREADS_ROUNDS ?? 3} rounds (FRAMEWIRE_BENCH_THREADS_ROUNDS sets it). Bare is \`session.run\` in a loop (median run) for one instance; for two, two sessions each on a worker thread of its own, each in a loop, their runs a second together (onnxruntime-node runs a session on the calling thread, so two sessions on one thread would take turns). With spinning, idle onnxruntime threads busy-wait for the next operator; off, they sleep. Target: on 2 cores, the pipeline ≥ 0.9 of bare inference with 2 threads (the \`pipeline / bare 1 × 2\` column). The second table measures the other onnxruntime session settings bare (they change the model's own speed, not how it shares the cores): graph optimisation levels and the parallel execution mode, at 2 threads without spinning.\n\n${table}`,
      rows: [],
    });
  }
  if (wanted('peer')) {
    const { rows, lines } = await peerBench(dir);
    for (const line of lines) console.log(line);
    if (rows.length > 0) console.log(formatRows(rows));
    sections.push({
      title: 'Peer: a Python + OpenCV script',
      note: `The same job written the way a Python user would (bench/peer/pipeline.py): OpenCV \`VideoCapture\` (Debian's FFmpeg) → letterbox (cv2.resize, bilinear) → onnxruntime's Python session, or OpenCV's own \`cv2.dnn\` → the same decoding in numpy (CenterNet heatmap peaks; YOLOv8's best class per anchor) → \`cv2.dnn.NMSBoxes\` (class-aware by offsetting classes) → \`cv2.rectangle\`/\`putText\` → \`VideoWriter\` 'avc1' (Debian's libx264, preset medium), against framewire's \`file → detect → overlay → encode → file\` (WebCodecs decoding, the bundled ffmpeg's libx264 at preset medium, as the peer encodes), the same without the \`encode\` stage (the file sink's own encoder, libx264 veryfast at crf 23: what a framewire user gets who writes only the sink), each with one session of the peer's thread count and, at the thread budget's count, with the detect stage's defaults (two sessions of one thread side by side on 2 cores), and a bare \`session.run\` loop (one session), on the same 720p file (the test fixtures' photos, panning) and model, with the same inference threads on both sides (onnxruntime intra-op threads and \`cv2.setNumThreads\`). fps is the steady state on both sides: framewire's from the first frame in the file to the last; the peer's from its first \`VideoWriter.write\` to \`release()\` returning, because x264 at OpenCV's settings holds some 40 frames for lookahead and encodes them in \`release()\` (ending the peer's window at its last \`write\` instead, as this bench did before, left out 1.7–1.9 s of encoding on 48 frames and overstated the peer by 30–45 %). The file-size and SSIM line shows what each side's encoding buys. Two models: the default detector, and a YOLOv8n-shaped graph built by the bench (bench/peer-yolo.ts: the published architecture at 640, about 3.15 M seeded random weights, so its cost is a real YOLOv8n's and its boxes mean nothing; both sides decode it the same way), the second at the chosen thread count (the thread budget's, 2 on 2 cores) only. Each figure is the median of three alternating rounds (framewire every way, the peer, bare inference). The agreement lines compare the two pipelines' boxes frame by frame: the trained detector's should nearly all pair up; the random-weight model puts many scores near the threshold, where the small pixel differences between the two sides' colour conversion and resizing move boxes across it. Targets: ≥ 1.5 × the Python pipeline, ≥ 0.9 of bare inference. Where python3-opencv is missing the section is skipped with a note; it is never part of \`npm test\`.\n\n${lines.join('\n\n')}`,
      rows,
    });
  }
  if (wanted('annotate')) {
    const { costs, rows } = await annotateBench(dir);
    const table = [
      '| per-frame cost | ms |',
      '| --- | ---: |',
      ...costs.map((c) => `| ${c.name} | ${c.ms.toFixed(2)} |`),
    ].join('\n');
    console.log(table);
    console.log(formatRows(rows));
    sections.push({
      title: 'Annotated video',
      note: `Per-frame cost of each stage driven alone at 720p (wall time on this machine), then the whole annotate-file pipeline (file → detect → track → count → overlay → encode → file + jsonl), detect at its defaults (the thread budget's sessions), against bare detection inference in one session with the budget's threads.\n\n${table}`,
      rows,
    });
  }
  if (wanted('rtsp')) {
    const { rows, table } = await rtspBench();
    console.log(table);
    console.log(formatRows(rows));
    sections.push({
      title: 'Live RTSP camera',
      note: `A live camera (GStreamer's RTSP server, 320×240 H.264 at 25 fps over TCP) into \`rtsp → detect (default model) → sink\`, for ${process.env.FRAMEWIRE_BENCH_RTSP_SECONDS ?? 300} s (FRAMEWIRE_BENCH_RTSP_SECONDS sets it). Inference is slower than the camera, so the live queue (1 frame, \`maxInFlight: 2\`) drops the rest: latency is every frame's age at the sink, from its arrival at the source. It should sit near the inference time (plus at most the queue's wait) and not drift: the slope is a least-squares fit over every frame after the first 10 s. The first ratio is bare inference over the p50 latency (1 would mean no wait at all), the second detect throughput against bare inference. The detect stage's own service time is in the table too: well above the bare inference, it means the machine was busy with other work during the run.\n\n${table}`,
      rows,
    });
  }
  if (wanted('segment')) {
    const { rows, latency } = await segmentBench(dir);
    console.log(`embedded segmenter inference latency: ${latency}`);
    console.log(formatRows(rows));
    sections.push({
      title: 'Segmentation',
      note: `Embedded person segmenter (MediaPipe selfie, 256×256) inference latency, bare \`session.run\`: ${latency}. Pipeline throughput of \`file (720p H.264) → segment → null\` against a bare \`session.run\` loop with the same threads: decode, the stretch to 256×256, thresholding and sampling the mask back onto 1280×720 are the difference.`,
      rows,
    });
  }
  if (wanted('interval')) {
    const { rows, table } = await intervalBench();
    console.log(table);
    console.log(formatRows(rows));
    sections.push({
      title: 'Detection intervals',
      note: `\`detect\`'s \`interval\` on a live camera: testsrc 640×360 at ${process.env.FRAMEWIRE_BENCH_INTERVAL_FPS ?? 30} fps with \`live: true\` (real time, dropping at its queue) → \`detect\` (default model, default threads) → sink, ${process.env.FRAMEWIRE_BENCH_INTERVAL_SECONDS ?? 20} s per setting, \`maxInFlight: 6\`. Output fps is every frame reaching the sink (inferred or carried), model runs per second the frames the model ran on; both from the first frame out to the last. With 1, frames the model cannot keep up with are dropped at the live queue; with \`auto\` they pass with carried detections and the model runs back to back, so output fps should stay at the camera's (target ≥ 0.95) with model runs near bare inference speed.\n\n${table}`,
      rows,
    });
  }
  if (wanted('masks')) {
    const { table } = masksBench();
    console.log(table);
    sections.push({
      title: 'Instance masks',
      note: `Per-frame cost at 720p of instance masks from a YOLOv8-seg head (640×640 input, 80 classes, 8400 anchors, 32 prototypes at 160×160, 20 objects; synthetic tensors, so the model's own run is not in it): decoding with NMS, taking the masks back through the letterbox onto the 1280×720 source (each object's logits computed over its box's part of the prototype grid only), and COCO RLE for the JSON outputs. Medians of 50 frames.\n\n${table}`,
      rows: [],
    });
  }
  if (wanted('websocket')) {
    const { table } = await websocketBench();
    console.log(table);
    sections.push({
      title: 'WebSocket fan-out',
      note: `A live 30 FPS pipeline (testsrc 640×360 with five stand-in detections a frame, so inference does not drown the figures) → \`websocket\`, serving clients in a separate process. Delivery is the sink taking the frame (\`sentAt\`) → the client's \`message\` event, both on one wall clock; it includes the client's queue, the socket and the client process's own event loop. Pipeline CPU is the pipeline process's user + system time in % of one core (the implicit encoder's ffmpeg, for video, runs in a process of its own and is not in it). Gaps are missed seqs seen by the clients, drops what the sink dropped for slow clients; load is the machine's 1-minute load average (2 cores, shared with other work while this ran: the 200-client p99 is mostly the client processes waiting for a core, and moves with it). Goal: p99 under 50 ms at 200 clients.\n\n${table}`,
      rows: [],
    });
  }
  if (wanted('effects')) {
    const costs = await effectsBench();
    const table = [
      '| per-frame cost, 720p yuv420p | ms |',
      '| --- | ---: |',
      ...costs.map((c) => `| ${c.name} | ${c.ms.toFixed(2)} |`),
    ].join('\n');
    console.log(table);
    sections.push({
      title: 'Overlay and effects',
      note: `Per-frame cost of the overlay's semantic tint and instance masks, and of the \`effects\` stage, each driven alone over 120 busy 720p yuv420p frames (wall time on this machine, after a warm-up). The person map is an ellipse covering 30% of the frame; the 20 instance masks are ellipses 60–140 px wide. Effects work only inside the selection's bounding rectangle (the whole frame for the background); the blur is a separable running-sum box blur, so its cost does not depend on the radius. A 30 FPS live stream has 33 ms per frame for everything.\n\n${table}`,
      rows: [],
    });
  }
  writeReport(join(process.cwd(), 'BENCHMARKS.md'), sections);
  console.log('\nwritten to BENCHMARKS.md');
} finally {
  cleanup();
}
