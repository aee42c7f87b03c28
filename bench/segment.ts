import { join } from 'node:path';
import { silentLogger } from '../src/core/log.ts';
import { prepareSelfieModel, SELFIE_MODEL } from '../src/models/embedded-selfie.ts';
import { openOnnxSession } from '../src/models/session.ts';
import { makeVideo } from '../test/helpers/media.ts';
import { pipelineFps } from './detect.ts';
import type { BenchRow } from './report.ts';
import { medianRunMs } from './session-timing.ts';

/** Bare inference of the embedded selfie segmenter: `session.run` in a loop on one fixed input. */
async function bareSegmentMs(threads: number, runs: number): Promise<number> {
  const model = await prepareSelfieModel({ log: silentLogger });
  const session = await openOnnxSession(model, { threads, log: silentLogger });
  const [, h, w, c] = SELFIE_MODEL.input.shape;
  const data = new Float32Array(h * w * c);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 255) / 255;
  const feed = {
    [SELFIE_MODEL.input.name]: { type: 'float32' as const, data, dims: [1, h, w, c] },
  };
  const ms = await medianRunMs(() => session.run(feed), runs);
  await session.close();
  return ms;
}

/**
 * `file (720p) → segment (embedded person segmenter) → null` against bare
 * inference of the same model with the same threads: the difference is decode,
 * the stretch to 256×256, thresholding and sampling the mask back to 720p.
 */
export async function segmentBench(dir: string): Promise<{ rows: BenchRow[]; latency: string }> {
  const frames = 150;
  const video = await makeVideo(join(dir, 'segment-720p.mp4'), {
    frames,
    size: '1280x720',
    rate: 30,
  });
  const rows: BenchRow[] = [];
  const latency: string[] = [];
  for (const threads of [1, 2]) {
    const bareMs = await bareSegmentMs(threads, 50);
    const fps = await pipelineFps(
      `source: { type: file, path: ${video} }\nstages: [ { type: segment, threads: ${threads} } ]\nsinks: [ { type: "null" } ]\n`,
      frames,
    );
    latency.push(`threads ${threads}: median ${bareMs.toFixed(1)} ms per 256×256 inference`);
    rows.push({
      name: `file (720p) → segment → null, threads ${threads}, vs bare session.run`,
      a: { label: 'pipeline fps', value: fps },
      b: { label: 'bare fps', value: 1000 / bareMs },
      ratio: fps / (1000 / bareMs),
    });
  }
  return { rows, latency: latency.join('; ') };
}
