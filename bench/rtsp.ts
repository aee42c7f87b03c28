import { availableParallelism } from 'node:os';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { defineSink } from '../src/core/component.ts';
import { silentLogger } from '../src/core/log.ts';
import { withTestComponents } from '../test/helpers/registries.ts';
import { RtspTestServer } from '../test/helpers/rtsp-server.ts';
import { bareInferenceMs } from './detect.ts';
import type { BenchRow } from './report.ts';

/** The camera: GStreamer's RTSP server, 320x240 H.264 at 25 fps. */
const CAMERA_FPS = 25;
/** Seconds of the run; the full bench runs 5 minutes, FRAMEWIRE_BENCH_RTSP_SECONDS shortens it for trying. */
const SECONDS = Number(process.env.FRAMEWIRE_BENCH_RTSP_SECONDS ?? 300);

/** One frame as the sink saw it: when (s since the first), and its capture-to-sink age (ms). */
interface Sample {
  readonly t: number;
  readonly latencyMs: number;
}

/** A sink that keeps every frame's age: exact percentiles and a slope, not a windowed summary. */
function latencyProbe(samples: Sample[]) {
  let first: number | undefined;
  return defineSink({
    type: 'latency-probe',
    doc: 'bench: records capture-to-sink latency per frame',
    lossless: true,
    options: {},
    create: () => ({
      write(frame) {
        const now = systemClock.now();
        first ??= now;
        const capturedAt = frame.meta.capturedAt;
        if (capturedAt !== undefined)
          samples.push({ t: (now - first) / 1000, latencyMs: now - capturedAt });
      },
      async close() {},
    }),
  });
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** Least-squares slope of latency over time, in ms per minute. */
function slopePerMinute(samples: readonly Sample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mt = samples.reduce((s, x) => s + x.t, 0) / n;
  const ml = samples.reduce((s, x) => s + x.latencyMs, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of samples) {
    num += (x.t - mt) * (x.latencyMs - ml);
    den += (x.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

export interface RtspBenchResult {
  readonly rows: BenchRow[];
  /** A markdown table of the run's figures, for the report's note. */
  readonly table: string;
}

/**
 * rtsp (a live 25 fps camera) → detect (default model) → sink, for SECONDS: every
 * frame's capture-to-sink latency against the bare inference time, the latency's
 * slope over the run (about 0 when nothing drifts), RSS at the start and the end.
 */
export async function rtspBench(): Promise<RtspBenchResult> {
  const threads = Math.max(1, availableParallelism() - 1);
  const inferenceMs = await bareInferenceMs(threads, 30);
  const samples: Sample[] = [];
  const probe = latencyProbe(samples);
  const registries = withTestComponents({ sinks: [probe] });
  const server = await RtspTestServer.start({ fps: CAMERA_FPS });
  try {
    const yaml = [
      // Low-latency settings (README, Cameras): one frame waiting, two in flight
      // (detection overlaps its preprocessing with the inference before it).
      'maxInFlight: 2',
      `source: { type: rtsp, url: "${server.url()}", queue: 1 }`,
      'stages: [ { type: detect } ]',
      'sinks: [ { type: latency-probe } ]',
    ].join('\n');
    const config = parsePipeline(yaml, 'bench-rtsp.yaml', { registries });
    const { run } = await assemblePipeline(config, {
      registries,
      clock: systemClock,
      log: silentLogger,
      baseDir: process.cwd(),
    });
    let rssStart: number | undefined;
    const startedAt = performance.now();
    const poll = setInterval(() => {
      if (rssStart === undefined && samples.length > 0) rssStart = process.memoryUsage().rss;
      if (performance.now() - startedAt >= SECONDS * 1000) run.stop();
    }, 200);
    const result = await run.run().finally(() => clearInterval(poll));
    const rssEnd = process.memoryUsage().rss;
    const source = result.meters.find((m) => m.name === 'source:rtsp')!;
    const decode = result.meters.find((m) => m.name === 'decode')!;
    const detect = result.meters.find((m) => m.name === 'detect')!;
    const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5);
    const p95 = percentile(sorted, 0.95);
    const seconds = samples.at(-1)?.t ?? 0;
    const fps = seconds > 0 ? (samples.length - 1) / seconds : 0;
    // Past the first 10 s: start-up (the first inferences are slower, the queue fills) is not drift.
    const slope = slopePerMinute(samples.filter((x) => x.t >= Math.min(10, seconds / 3)));
    const mb = (b: number | undefined) => ((b ?? 0) / 2 ** 20).toFixed(0);
    const table = [
      '| figure | value |',
      '| --- | ---: |',
      `| run | ${seconds.toFixed(0)} s, camera 320×240 H.264 at ${CAMERA_FPS} fps, queue 1, maxInFlight 2, detect threads ${threads} |`,
      `| frames decoded / through detect / dropped at the live queue | ${decode.framesOut} / ${samples.length} / ${source.dropped} |`,
      `| bare inference (median session.run) | ${inferenceMs.toFixed(1)} ms |`,
      `| detect stage service time p50 / p95 | ${detect.processMs.p50.toFixed(1)} / ${detect.processMs.p95.toFixed(1)} ms |`,
      `| capture-to-sink latency p50 / p95 / max | ${p50.toFixed(1)} / ${p95.toFixed(1)} / ${(sorted.at(-1) ?? 0).toFixed(1)} ms |`,
      `| latency slope over the run (after the first 10 s) | ${slope.toFixed(2)} ms per minute |`,
      `| RSS at the first frame / at the end | ${mb(rssStart)} / ${mb(rssEnd)} MB |`,
    ].join('\n');
    const rows: BenchRow[] = [
      {
        name: `rtsp (${CAMERA_FPS} fps) → detect → sink: capture-to-sink p50 vs bare inference`,
        a: { label: 'ms p50 latency', value: p50 },
        b: { label: 'ms inference', value: inferenceMs },
        ratio: inferenceMs / p50,
      },
      {
        name: `rtsp (${CAMERA_FPS} fps) → detect → sink: frames per second vs bare inference`,
        a: { label: 'pipeline fps', value: fps },
        b: { label: 'bare fps', value: 1000 / inferenceMs },
        ratio: fps / (1000 / inferenceMs),
        target: 0.9,
      },
    ];
    return { rows, table };
  } finally {
    await server.stop();
  }
}
