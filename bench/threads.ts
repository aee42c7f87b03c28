import { join } from 'node:path';
import { silentLogger } from '../src/core/log.ts';
import { EMBEDDED_MODEL, prepareEmbeddedModel } from '../src/models/embedded.ts';
import { openOnnxSession, type SessionOptions } from '../src/models/session.ts';
import { openWorkerSession } from '../src/models/worker-session.ts';
import { makeVideo } from '../test/helpers/media.ts';
import { pipelineFps } from './detect.ts';
import { median, medianRunMs } from './session-timing.ts';

/** One setting of the thread options, as the detect stage and the bare session take them. */
export interface ThreadCase {
  readonly threads: number;
  readonly spinning: boolean;
  /** Sessions side by side (detect's `instances`); default 1. */
  readonly instances?: number;
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
  const feed = embeddedFeed();
  const ms = await medianRunMs(() => session.run(feed), runs);
  await session.close();
  return ms;
}

/** The embedded model's input: one fixed tensor, as every bare loop feeds it. */
function embeddedFeed() {
  const [, h, w, ch] = EMBEDDED_MODEL.input.shape;
  const data = new Float32Array(h * w * ch);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 255;
  return {
    [EMBEDDED_MODEL.input.name]: { type: 'float32' as const, data, dims: [1, h, w, ch] },
  };
}

/**
 * Bare inference of several sessions side by side: each on a worker thread of
 * its own (onnxruntime-node runs a session on the thread that calls it, so two
 * on one thread take turns), each in a loop on the same fixed input, nothing
 * else. Runs a second, all sessions together, after 3 unmeasured runs each.
 */
export async function bareInstancesFps(c: ThreadCase, runs: number): Promise<number> {
  const model = await prepareEmbeddedModel({ log: silentLogger });
  const instances = c.instances ?? 1;
  const sessions = await Promise.all(
    Array.from({ length: instances }, () =>
      openWorkerSession(model, { threads: c.threads, spinning: c.spinning, log: silentLogger }),
    ),
  );
  const feed = embeddedFeed();
  const loop = async (s: (typeof sessions)[number], n: number) => {
    for (let i = 0; i < n; i++) await s.run(feed);
  };
  await Promise.all(sessions.map((s) => loop(s, 3)));
  const each = Math.ceil(runs / instances);
  const t0 = performance.now();
  await Promise.all(sessions.map((s) => loop(s, each)));
  const fps = (each * instances * 1000) / (performance.now() - t0);
  await Promise.all(sessions.map((s) => s.close()));
  return fps;
}

/** Bare runs a second: one session's median run, or several sessions' throughput. */
function bareFps(c: ThreadCase, runs: number): Promise<number> {
  return (c.instances ?? 1) > 1
    ? bareInstancesFps(c, runs)
    : bareRunMs(c, runs).then((ms) => 1000 / ms);
}

export interface ThreadRow {
  readonly threads: number;
  readonly spinning: boolean;
  readonly instances: number;
  /** Medians over the rounds. */
  readonly bareFps: number;
  readonly pipelineFps: number;
  /** Each round's figures, for the spread. */
  readonly bareRounds: number[];
  readonly fpsRounds: number[];
}

/**
 * threads 1 and 2 × spinning on and off, and two one-thread instances: bare
 * inference and `file (720p) → detect → null` with the same settings,
 * interleaved round by round (every case once per round), medians over the
 * rounds, so a burst of load elsewhere on the machine hits all cases alike.
 */
export async function threadsBench(dir: string): Promise<{ rows: ThreadRow[]; table: string }> {
  const frames = Number(process.env.FRAMEWIRE_BENCH_THREADS_FRAMES ?? 90);
  const rounds = Number(process.env.FRAMEWIRE_BENCH_THREADS_ROUNDS ?? 3);
  const video = await makeVideo(join(dir, 'threads-720p.mp4'), {
    frames,
    size: '1280x720',
    rate: 30,
  });
  const cases: ThreadCase[] = [
    ...[1, 2].flatMap((threads) => [true, false].map((spinning) => ({ threads, spinning }))),
    ...[true, false].map((spinning) => ({ threads: 1, spinning, instances: 2 })),
  ];
  const bare = cases.map(() => [] as number[]);
  const fps = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      bare[i]!.push(await bareFps(c, 20));
      fps[i]!.push(
        await pipelineFps(
          `source: { type: file, path: ${video} }\nstages: [ { type: detect, instances: ${c.instances ?? 1}, threads: ${c.threads}, spinning: ${c.spinning} } ]\nsinks: [ { type: "null" } ]\n`,
          frames,
        ),
      );
    }
  }
  const rows = cases.map((c, i) => ({
    threads: c.threads,
    spinning: c.spinning,
    instances: c.instances ?? 1,
    bareFps: median(bare[i]!),
    pipelineFps: median(fps[i]!),
    bareRounds: bare[i]!,
    fpsRounds: fps[i]!,
  }));
  const find = (instances: number, threads: number) =>
    rows.find((r) => r.instances === instances && r.threads === threads && !r.spinning)?.bareFps ??
    Number.NaN;
  const bare1 = find(1, 1);
  // The yardstick: bare inference with 2 threads, as onnxruntime is usually run.
  const bare2 = find(1, 2);
  const table = [
    '| instances × threads | spinning | bare fps | pipeline fps | pipeline / bare | pipeline / bare 1 × 2 (off) | bare speed-up over 1 × 1 | rounds (pipeline fps) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.instances} × ${r.threads} | ${r.spinning ? 'on' : 'off'} | ${r.bareFps.toFixed(1)} | ${r.pipelineFps.toFixed(1)} | **${(r.pipelineFps / r.bareFps).toFixed(2)}** | **${(r.pipelineFps / bare2).toFixed(2)}** | ${(r.bareFps / bare1).toFixed(2)} | ${r.fpsRounds.map((f) => f.toFixed(1)).join(', ')} |`,
    ),
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
