import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { defineSink } from '../src/core/component.ts';
import { silentLogger } from '../src/core/log.ts';
import { withTestComponents } from '../test/helpers/registries.ts';
import type { BenchRow } from './report.ts';

/** The camera: a live testsrc (real-time, dropping by policy), 640×360. */
const CAMERA_FPS = Number(process.env.FRAMEWIRE_BENCH_INTERVAL_FPS ?? 30);
/** Seconds per interval setting; four settings run. */
const SECONDS = Number(process.env.FRAMEWIRE_BENCH_INTERVAL_SECONDS ?? 20);
const INTERVALS = [1, 2, 3, 'auto'] as const;
/** Room for the frames `auto` holds behind an inference (README, Skipping frames). */
const MAX_IN_FLIGHT = 6;

interface Tally {
  frames: number;
  inferred: number;
  first?: number;
  last?: number;
  latencies: number[];
}

/** Counts frames, the ones the model ran on, and each frame's capture-to-sink age. */
function tallyProbe(tally: Tally) {
  return defineSink({
    type: 'interval-probe',
    doc: 'bench: counts frames and inferred frames',
    lossless: true,
    options: {},
    create: () => ({
      write(frame) {
        const now = systemClock.now();
        tally.first ??= now;
        tally.last = now;
        tally.frames++;
        if (frame.meta.inferred !== false) tally.inferred++;
        if (frame.meta.capturedAt !== undefined) tally.latencies.push(now - frame.meta.capturedAt);
      },
      async close() {},
    }),
  });
}

interface IntervalRun {
  readonly interval: (typeof INTERVALS)[number];
  readonly fps: number;
  readonly modelRuns: number;
  readonly dropped: number;
  readonly p50: number;
  readonly p95: number;
}

async function runOnce(interval: (typeof INTERVALS)[number]): Promise<IntervalRun> {
  const tally: Tally = { frames: 0, inferred: 0, latencies: [] };
  const registries = withTestComponents({ sinks: [tallyProbe(tally)] });
  const yaml = [
    `maxInFlight: ${MAX_IN_FLIGHT}`,
    `source: { type: testsrc, live: true, size: 640x360, rate: ${CAMERA_FPS}, duration: ${SECONDS} }`,
    `stages: [ { type: detect, interval: ${interval} } ]`,
    'sinks: [ { type: interval-probe } ]',
  ].join('\n');
  const config = parsePipeline(yaml, 'bench-interval.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
  });
  const result = await run.run();
  const source = result.meters.find((m) => m.name === 'source:testsrc')!;
  // From the first frame out to the last: model loading and start-up are not counted.
  const seconds = ((tally.last ?? 0) - (tally.first ?? 0)) / 1000;
  const sorted = tally.latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    interval,
    fps: seconds > 0 ? (tally.frames - 1) / seconds : 0,
    modelRuns: seconds > 0 ? tally.inferred / seconds : 0,
    dropped: source.dropped,
    p50: at(0.5),
    p95: at(0.95),
  };
}

export interface IntervalBenchResult {
  readonly rows: BenchRow[];
  readonly table: string;
}

/**
 * A live 640×360 testsrc at CAMERA_FPS → detect (default model, interval 1, 2,
 * 3, auto) → sink, SECONDS each: output frames per second against the
 * camera's, model runs per second, frames dropped at the live queue, latency.
 */
export async function intervalBench(): Promise<IntervalBenchResult> {
  const runs: IntervalRun[] = [];
  for (const interval of INTERVALS) {
    const r = await runOnce(interval);
    console.log(
      `interval ${interval}: ${r.fps.toFixed(1)} fps out, ${r.modelRuns.toFixed(1)} model runs/s, ${r.dropped} dropped`,
    );
    runs.push(r);
  }
  const table = [
    '| interval | output fps | model runs / s | dropped at the live queue | capture-to-sink p50 / p95 |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.interval} | ${r.fps.toFixed(1)} | ${r.modelRuns.toFixed(1)} | ${r.dropped} | ${r.p50.toFixed(0)} / ${r.p95.toFixed(0)} ms |`,
    ),
  ].join('\n');
  const rows: BenchRow[] = runs.map((r) => ({
    name: `live testsrc (${CAMERA_FPS} fps) → detect (interval ${r.interval}) → sink: output fps vs the camera`,
    a: { label: 'fps out', value: r.fps },
    b: { label: 'camera fps', value: CAMERA_FPS },
    ratio: r.fps / CAMERA_FPS,
    ...(r.interval === 'auto' ? { target: 0.95 } : {}),
  }));
  return { rows, table };
}
