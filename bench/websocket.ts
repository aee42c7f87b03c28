// Fan-out of the WebSocket feed: a 30 FPS live pipeline (testsrc with stand-in
// detections, so inference does not drown the figures) serving 1, 50 and 200
// clients subscribed to detections, and 10 subscribed to H.264 video too. The
// clients live in a child process, so receiving costs the pipeline nothing and
// the delay measured (server's `sentAt` → client's receive) is honest.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { concatMap } from 'rxjs';
import { parsePipeline } from '../src/config/load.ts';
import { assemblePipeline } from '../src/core/assemble.ts';
import type { Clock } from '../src/core/clock.ts';
import { systemClock } from '../src/core/clock.ts';
import { defineStage } from '../src/core/component.ts';
import { Detections } from '../src/core/detections.ts';
import type { Frame } from '../src/core/frame.ts';
import { silentLogger } from '../src/core/log.ts';
import type { WebSocketFeed } from '../src/sinks/websocket.ts';
import { registriesWith } from '../test/helpers/ws-feed.ts';

const WARMUP_MS = 3000;
const MEASURE_MS = 10_000;
const CLIENTS_PER_PROCESS = 50;

export interface FanOutRow {
  readonly clients: number;
  readonly topics: string;
  readonly messages: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly gaps: number;
  /** The pipeline process's CPU (user + system), in % of one core. */
  readonly cpuPercent: number;
  readonly fps: number;
  readonly videoFps: number;
  readonly dropped: number;
  /** The machine's 1-minute load average at the end (other work on the machine shows here). */
  readonly load: number;
}

/** Wall-clock with sub-millisecond resolution, on the same time base as the clients' process. */
const preciseClock: Clock = {
  ...systemClock,
  wallNow: () => performance.timeOrigin + performance.now(),
};

/** Five boxes moving across a 640×360 frame, like a busy street. */
const standInDetect = defineStage({
  type: 'bench-detect',
  doc: 'bench: five moving boxes per frame',
  options: {},
  create: () =>
    concatMap(async (frame: Frame) => {
      const list = Array.from({ length: 5 }, (_, k) => {
        const x = (frame.seq * (k + 1) * 3 + k * 90) % 560;
        return {
          box: [x, 40 + k * 50, x + 60, 120 + k * 50] as [number, number, number, number],
          score: 0.8,
          classId: k,
          label: `class${k}`,
        };
      });
      frame.meta.detections = Detections.fromList(list, [
        'class0',
        'class1',
        'class2',
        'class3',
        'class4',
      ]);
      return frame;
    }),
});

async function fanOut(clients: number, topics: string): Promise<FanOutRow> {
  const feeds: WebSocketFeed[] = [];
  const registries = registriesWith({ stages: [standInDetect] }, feeds);
  const video = topics.includes('video') ? 'h264' : 'none';
  const config = parsePipeline(
    `
name: fan-out
source: { type: testsrc, size: 640x360, rate: 30, live: true }
stages:
  - type: bench-detect
sinks:
  - type: websocket
    port: 0
    maxClients: 1000
    video: ${video}
`,
    'bench.yaml',
    { registries },
  );
  const { run } = await assemblePipeline(config, {
    registries,
    clock: preciseClock,
    log: silentLogger,
    baseDir: process.cwd(),
  });
  const done = run.run();
  while (feeds[0]?.url === undefined) await new Promise((r) => setTimeout(r, 20));
  // Up to 50 clients per process: one process receiving for 200 would measure its own event loop.
  const shares = Array.from({ length: Math.ceil(clients / CLIENTS_PER_PROCESS) }, (_, i) =>
    Math.min(CLIENTS_PER_PROCESS, clients - i * CLIENTS_PER_PROCESS),
  );
  const children = shares.map((n) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/ws-clients.ts', feeds[0]!.url!, String(n), topics],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout! });
    const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
    return { child, nextLine };
  });
  try {
    const ready = await Promise.all(children.map((c) => c.nextLine()));
    if (ready.some((l) => l !== 'ready')) throw new Error('the clients did not connect');
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const before = run.snapshot();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const c of children) c.child.stdin!.write('measure\n');
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    const cpu = process.cpuUsage(cpu0);
    const elapsed = performance.now() - t0;
    const after = run.snapshot();
    const summaries = children.map((c) => c.nextLine());
    for (const c of children) c.child.stdin!.write('stop\n');
    const parts = (await Promise.all(summaries)).map(
      (l) =>
        JSON.parse(l) as { messages: number; delays: number[]; gaps: number; videoFrames: number },
    );
    const delays = parts.flatMap((p) => p.delays).sort((a, b) => a - b);
    const at = (q: number) =>
      delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? 0;
    const sinkOut = (s: typeof before) => s.find((m) => m.name === 'sink:websocket')!.framesIn;
    return {
      clients,
      topics,
      messages: delays.length,
      p50: at(0.5),
      p99: at(0.99),
      max: delays.at(-1) ?? 0,
      gaps: parts.reduce((n, p) => n + p.gaps, 0),
      cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsed) * 100,
      fps: ((sinkOut(after) - sinkOut(before)) / elapsed) * 1000,
      videoFps: (parts.reduce((n, p) => n + p.videoFrames, 0) / clients / elapsed) * 1000,
      dropped: feeds[0]!.droppedTotal,
      load: loadavg()[0]!,
    };
  } finally {
    for (const c of children) c.child.kill();
    run.stop();
    await done;
  }
}

export async function websocketBench(): Promise<{ rows: FanOutRow[]; table: string }> {
  const rows: FanOutRow[] = [];
  for (const [clients, topics] of [
    [1, 'detections'],
    [50, 'detections'],
    [200, 'detections'],
    [10, 'detections,video'],
  ] as const) {
    const row = await fanOut(clients, topics);
    console.log(JSON.stringify(row));
    rows.push(row);
  }
  const base = rows[0]!;
  const table = [
    '| clients | topics | delivery p50 | p99 | max | pipeline CPU | CPU per added client | frames/s | video frames/s per client | gaps / drops | load |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const perClient =
        r.clients > base.clients && r.topics === base.topics
          ? `${((r.cpuPercent - base.cpuPercent) / (r.clients - base.clients)).toFixed(3)} %`
          : '';
      return `| ${r.clients} | ${r.topics} | ${r.p50.toFixed(1)} ms | **${r.p99.toFixed(1)} ms** | ${r.max.toFixed(1)} ms | ${r.cpuPercent.toFixed(1)} % | ${perClient} | ${r.fps.toFixed(1)} | ${r.topics.includes('video') ? r.videoFps.toFixed(1) : ''} | ${r.gaps} / ${r.dropped} | ${r.load.toFixed(1)} |`;
    }),
  ].join('\n');
  return { rows, table };
}
