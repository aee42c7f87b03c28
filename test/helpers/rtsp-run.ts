// Runs `rtsp → jsonl` in-process until the sink has seen enough frames.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registries } from '../../src/components-all.ts';
import { parsePipeline } from '../../src/config/load.ts';
import { assemblePipeline } from '../../src/core/assemble.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { StreamInfo } from '../../src/core/component.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { MeterSnapshot } from '../../src/core/meter.ts';

/** One line of the jsonl sink, the fields these tests read. */
export interface JsonlFrame {
  readonly seq: number;
  readonly pts: number;
  readonly width: number;
  readonly height: number;
}

export interface RtspRun {
  readonly frames: JsonlFrame[];
  readonly meters: MeterSnapshot[];
  readonly stream: StreamInfo;
}

/** Reads the frame records of a jsonl file (other records, such as health, are skipped). */
export function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Streams `source` (an rtsp source's options) into a jsonl sink and stops once `frames` were written. */
export async function runRtspToJsonl(
  dir: string,
  source: Record<string, unknown>,
  frames: number,
): Promise<RtspRun> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.jsonl`);
  const yaml = [
    `source: ${JSON.stringify({ type: 'rtsp', ...source })}`,
    `sinks: [ ${JSON.stringify({ type: 'jsonl', path: out })} ]`,
  ].join('\n');
  const config = parsePipeline(yaml, 'test.yaml', { registries });
  const { run, stream } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: silentLogger,
    baseDir: dir,
  });
  const poll = setInterval(() => {
    const sink = run.snapshot().find((m) => m.kind === 'sink');
    if (sink && sink.framesOut >= frames) run.stop();
  }, 20);
  try {
    const result = await run.run();
    const written = readJsonl(out).filter(
      (r) => typeof r.seq === 'number',
    ) as unknown as JsonlFrame[];
    return { frames: written, meters: result.meters, stream };
  } finally {
    clearInterval(poll);
  }
}
