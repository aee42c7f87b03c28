import { join } from 'node:path';
import { registries } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/log.ts';
import { EMBEDDED_MODEL, prepareEmbeddedModel } from '../src/models/embedded.ts';
import { openOnnxSession } from '../src/models/session.ts';
import { makeVideo } from '../test/helpers/media.ts';
import type { BenchRow } from './report.ts';
import { medianRunMs } from './session-timing.ts';

/** Bare inference: `session.run` in a loop on one fixed input, nothing else. */
export async function bareInferenceMs(threads: number, runs: number): Promise<number> {
  const model = await prepareEmbeddedModel({ log: silentLogger });
  const session = await openOnnxSession(model, { threads, log: silentLogger });
  const [, h, w, c] = EMBEDDED_MODEL.input.shape;
  const data = new Float32Array(h * w * c);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 255;
  const feed = {
    [EMBEDDED_MODEL.input.name]: { type: 'float32' as const, data, dims: [1, h, w, c] },
  };
  const ms = await medianRunMs(() => session.run(feed), runs);
  await session.close();
  return ms;
}

/**
 * A pipeline's steady-state frames per second: the last sink's rate from its
 * first frame to its last, so start-up (spawning ffmpeg, the first, slower
 * inference) is not charged to every frame.
 */
export async function pipelineFps(yaml: string, frames: number): Promise<number> {
  const config = parsePipeline(yaml, 'bench.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
  });
  const result = await run.run();
  const sinks = result.meters.filter((m) => m.kind === 'sink');
  const out = Math.min(...sinks.map((m) => m.framesOut));
  if (out !== frames) throw new Error(`expected ${frames} frames, got ${out}`);
  return Math.min(...sinks.map((m) => m.avgFps));
}

export async function detectBench(dir: string): Promise<{ rows: BenchRow[]; latency: string }> {
  const frames = 150;
  const video = await makeVideo(join(dir, 'detect-720p.mp4'), {
    frames,
    size: '1280x720',
    rate: 30,
  });
  const rows: BenchRow[] = [];
  const latency: string[] = [];
  // One session of 1 and of 2 threads, then the stage's defaults (on 2 cores
  // two sessions of 1 thread) against one bare session of 2.
  for (const threads of [1, 2, undefined]) {
    const bareMs = await bareInferenceMs(threads ?? 2, 30);
    const option = threads === undefined ? '' : `, threads: ${threads}`;
    const fps = await pipelineFps(
      `source: { type: file, path: ${video} }\nstages: [ { type: detect${option} } ]\nsinks: [ { type: "null" } ]\n`,
      frames,
    );
    if (threads !== undefined) {
      latency.push(`threads ${threads}: median ${bareMs.toFixed(1)} ms per 512×512 inference`);
    }
    const label = threads === undefined ? 'the stage’s defaults' : `threads ${threads}`;
    rows.push({
      name: `file (720p) → detect → null, ${label}, vs bare session.run (${threads ?? 2} threads)`,
      a: { label: 'pipeline fps', value: fps },
      b: { label: 'bare fps', value: 1000 / bareMs },
      ratio: fps / (1000 / bareMs),
      target: 0.9,
    });
  }
  return { rows, latency: latency.join('; ') };
}
