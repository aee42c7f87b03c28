import { join } from 'node:path';
import { silentLogger } from '../src/core/log.ts';
import { EMBEDDED_MODEL, prepareEmbeddedModel } from '../src/models/embedded.ts';
import { openOnnxSession, type SessionOptions } from '../src/models/session.ts';
import { makeVideo } from '../test/helpers/media.ts';
import { pipelineFps } from './detect.ts';
import { median, medianRunMs } from './session-timing.ts';

/** One setting of the thread options, as the detect stage and the bare session take them. */
export interface ThreadCase {
  readonly threads: number;
  readonly spinning: boolean;
  /** Extra session options measured bare only (graph optimisation, execution mode). */
  readonly session?: Omit<SessionOptions, 'threads' | 'spinning' | 'log'>;
}

/** Median ms of a bare `session.run` loop on one fixed input with these settings. */
export async function bareRunMs(c: ThreadCase, runs: number): Promise<number> {
  const model = await prepareEmbeddedModel({ log: silentLogger });
  const session = await openOnnxSession(model, {
    threads: c.threads,
    spinning: c.spinning,
    ...c.session,
    log: silentLogger,
  });
  const [, h, w, ch] = EMBEDDED_MODEL.input.shape;
  const data = new Float32Array(h * w * ch);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 255;
  const feed = {
    [EMBEDDED_MODEL.input.name]: { type: 'float32' as const, data, dims: [1, h, w, ch] },
  };
  const ms = await medianRunMs(() => session.run(feed), runs);
  await session.close();
  return ms;
}

export interface ThreadRow {
  readonly threads: number;
  readonly spinning: boolean;
  /** Medians over the rounds. */
  readonly bareMs: number;
  readonly pipelineFps: number;
  /** Each round's figures, for the spread. */
  readonly bareRounds: number[];
  readonly fpsRounds: number[];
}

/**
 * threads 1 and 2 × spinning on and off: bare `session.run` and `file (720p)
 * → detect → null` with the same settings, interleaved round by round (every
 * case once per round), medians over the rounds, so a burst of load elsewhere
 * on the machine hits all cases alike.
 */
export async function threadsBench(dir: string): Promise<{ rows: ThreadRow[]; table: string }> {
  const frames = Number(process.env.FRAMEWIRE_BENCH_THREADS_FRAMES ?? 90);
  const rounds = Number(process.env.FRAMEWIRE_BENCH_THREADS_ROUNDS ?? 3);
  const video = await makeVideo(join(dir, 'threads-720p.mp4'), {
    frames,
    size: '1280x720',
    rate: 30,
  });
  const cases: ThreadCase[] = [1, 2].flatMap((threads) =>
    [true, false].map((spinning) => ({ threads, spinning })),
  );
  const bare = cases.map(() => [] as number[]);
  const fps = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      bare[i]!.push(await bareRunMs(c, 20));
      fps[i]!.push(
        await pipelineFps(
          `source: { type: file, path: ${video} }\nstages: [ { type: detect, threads: ${c.threads}, spinning: ${c.spinning} } ]\nsinks: [ { type: "null" } ]\n`,
          frames,
        ),
      );
    }
  }
  const rows = cases.map((c, i) => ({
    threads: c.threads,
    spinning: c.spinning,
    bareMs: median(bare[i]!),
    pipelineFps: median(fps[i]!),
    bareRounds: bare[i]!,
    fpsRounds: fps[i]!,
  }));
  const bare1 = rows.find((r) => r.threads === 1 && !r.spinning)?.bareMs ?? Number.NaN;
  const table = [
    '| threads | spinning | bare session.run ms | bare fps | pipeline fps | pipeline / bare | bare speed-up over 1 thread | rounds (pipeline fps) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => {
      const bareFps = 1000 / r.bareMs;
      return `| ${r.threads} | ${r.spinning ? 'on' : 'off'} | ${r.bareMs.toFixed(1)} | ${bareFps.toFixed(1)} | ${r.pipelineFps.toFixed(1)} | **${(r.pipelineFps / bareFps).toFixed(2)}** | ${(bare1 / r.bareMs).toFixed(2)} | ${r.fpsRounds.map((f) => f.toFixed(1)).join(', ')} |`;
    }),
  ].join('\n');
  return { rows, table: `${table}\n\n${await sessionLeversTable(rounds)}` };
}

/**
 * The other onnxruntime session settings, bare only (they change the model's
 * own speed, not how it shares the machine): graph optimisation levels and the
 * parallel execution mode, at 2 threads without spinning, interleaved rounds.
 */
async function sessionLeversTable(rounds: number): Promise<string> {
  const levers: { label: string; session: ThreadCase['session'] }[] = [
    { label: 'graph optimisation all (default)', session: {} },
    { label: 'graph optimisation extended', session: { graphOptimization: 'extended' } },
    { label: 'graph optimisation basic', session: { graphOptimization: 'basic' } },
    { label: 'graph optimisation disabled', session: { graphOptimization: 'disabled' } },
    {
      label: 'execution mode parallel, 2 inter-op threads',
      session: { executionMode: 'parallel', interOpThreads: 2 },
    },
  ];
  const ms = levers.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, l] of levers.entries()) {
      ms[i]!.push(await bareRunMs({ threads: 2, spinning: false, session: l.session }, 20));
    }
  }
  const base = median(ms[0]!);
  return [
    '| session setting (threads 2, spinning off) | bare session.run ms | vs default |',
    '| --- | ---: | ---: |',
    ...levers.map((l, i) => {
      const m = median(ms[i]!);
      return `| ${l.label} | ${m.toFixed(1)} | ${(m / base).toFixed(2)} |`;
    }),
  ].join('\n');
}
