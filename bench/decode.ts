import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { registries } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import { systemClock } from '../src/core/clock.ts';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { silentLogger } from '../src/core/log.ts';
import { makeVideo } from '../test/helpers/media.ts';
import type { BenchRow } from './report.ts';

/** ffmpeg alone: the same file decoded to the same raw pixel format, into /dev/null. */
async function ffmpegAlone(path: string, pixelFormat: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const p = spawn(ffmpegPath, [
      '-hide_banner',
      '-v',
      'error',
      '-nostdin',
      '-i',
      path,
      '-an',
      '-f',
      'rawvideo',
      '-pix_fmt',
      pixelFormat,
      '-y',
      '/dev/null',
    ]);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))));
  });
  return performance.now() - started;
}

/** framewire: `file → null`, frames delivered to the pipeline. */
async function framewire(path: string, pixelFormat: string): Promise<number> {
  const yaml = `source: { type: file, path: ${path}, pixelFormat: ${pixelFormat} }\nsinks: [ { type: "null" } ]\n`;
  const config = parsePipeline(yaml, 'bench.yaml', { registries });
  const started = performance.now();
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: process.cwd(),
  });
  await run.run();
  return performance.now() - started;
}

/** Median of `n` alternating runs of each, so both see the same machine state. */
async function sideBySide(
  n: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<[number, number]> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < n; i++) {
    ta.push(await a());
    tb.push(await b());
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return [median(ta), median(tb)];
}

export async function decodeBench(dir: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [name, size, frames] of [
    ['720p', '1280x720', 600],
    ['1080p', '1920x1080', 300],
  ] as const) {
    const path = await makeVideo(join(dir, `${name}.mp4`), {
      frames,
      size,
      rate: 30,
      extra: ['-preset', 'veryfast'],
    });
    for (const pixelFormat of ['yuv420p', 'rgb24']) {
      const [fw, ff] = await sideBySide(
        3,
        () => framewire(path, pixelFormat),
        () => ffmpegAlone(path, pixelFormat),
      );
      rows.push({
        name: `decode ${name} H.264 → ${pixelFormat}: file → null vs ffmpeg → /dev/null`,
        a: { label: 'framewire fps', value: (frames * 1000) / fw },
        b: { label: 'ffmpeg fps', value: (frames * 1000) / ff },
        ratio: ff / fw,
        target: pixelFormat === 'yuv420p' ? 0.8 : undefined,
      });
    }
  }
  return rows;
}
