import { availableParallelism } from 'node:os';
import type { CpuSummary } from '../core/cpu-ledger.ts';
import { EVENT_CODES } from '../core/events.ts';
import { describeHealth } from '../core/health.ts';
import type { MeterSnapshot } from '../core/meter.ts';
import type { HealthSummary } from '../core/runner.ts';

/**
 * One status line for a terminal: progress (with percent and ETA when the
 * source knows its total), pipeline FPS, slowest stage, drops. The ETA is the
 * frames left at the current sliding-window rate of the slowest sink.
 */
export function progressLine(
  meters: readonly MeterSnapshot[],
  totalFrames: number | undefined,
  elapsedMs: number,
): string {
  const source = meters.find((m) => m.kind === 'source');
  const last = meters.filter((m) => m.kind === 'sink');
  const done = Math.min(...last.map((m) => m.framesOut));
  const fps = Math.min(...last.map((m) => m.fps));
  const stages = meters.filter((m) => m.kind === 'stage');
  const slowest = stages.reduce<MeterSnapshot | undefined>(
    (a, m) => (a && a.processMs.p50 >= m.processMs.p50 ? a : m),
    undefined,
  );
  const dropped = meters.reduce((a, m) => a + m.dropped, 0);
  const events = meters.reduce(
    (a, m) => a + Object.values(m.events).reduce((b, n) => b + (n ?? 0), 0),
    0,
  );
  const parts = [
    totalFrames ? `${done}/${totalFrames} frames` : `${done} frames`,
    totalFrames ? `${Math.min(100, Math.floor((done * 100) / totalFrames))}%` : undefined,
    `${fps.toFixed(1)} fps`,
    totalFrames && done < totalFrames && fps > 0
      ? `ETA ${clockTime((totalFrames - done) / fps)}`
      : undefined,
    slowest ? `slowest ${slowest.name} ${slowest.processMs.p50.toFixed(1)} ms` : undefined,
    `dropped ${dropped}`,
    events > 0 ? `events ${events}` : undefined,
    `${(elapsedMs / 1000).toFixed(0)} s`,
    source && source.framesOut === 0 ? 'waiting for the first frame' : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** Seconds as `m:ss`, or `h:mm:ss` from an hour on, rounded up so it never reads 0:00 early. */
export function clockTime(seconds: number): string {
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const ss = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The end-of-run table: one row per source, stage and sink (a sink's
 * `latency` is capture-to-sink p50/p95 in ms), then one line per live
 * component with its final health state and its reconnects.
 */
export function summaryTable(
  meters: readonly MeterSnapshot[],
  health: readonly HealthSummary[] = [],
  cpu?: CpuSummary,
): string {
  // Where per-thread CPU is measurable (Linux), every component has a figure.
  const withCpu = meters.some((m) => m.cpuMs !== undefined);
  const header = [
    'component',
    'in',
    'out',
    'dropped',
    'fps',
    'p50 ms',
    'p95 ms',
    'max ms',
    ...(withCpu ? ['cpu s'] : []),
    'wait p50',
    'latency',
    'events',
  ];
  const rows = meters.map((m) => [
    m.name,
    String(m.framesIn),
    String(m.framesOut),
    String(m.dropped),
    m.avgFps.toFixed(1),
    m.processMs.p50.toFixed(2),
    m.processMs.p95.toFixed(2),
    m.processMs.max.toFixed(2),
    ...(withCpu ? [m.cpuMs === undefined ? '' : (m.cpuMs / 1000).toFixed(2)] : []),
    m.queueWaitMs.p50.toFixed(2),
    m.latencyMs ? `${m.latencyMs.p50.toFixed(1)}/${m.latencyMs.p95.toFixed(1)}` : '',
    // By code, in EVENT_DOCS order, so the same events always read the same way.
    EVENT_CODES.filter((code) => m.events[code])
      .map((code) => `${code}=${m.events[code]}`)
      .join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) =>
        i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  const healthLines = health.map(({ latest }) => {
    const reconnects = meters.find((m) => m.name === latest.component)?.events.RECONNECT ?? 0;
    return `health: ${describeHealth(latest)} · ${reconnects} reconnect${reconnects === 1 ? '' : 's'}`;
  });
  return [
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...rows.map(fmt),
    ...(cpu ? [cpuLine(cpu)] : []),
    ...healthLines,
  ].join('\n');
}

/**
 * The run's CPU in one line: the total against the cores it could have used,
 * and what no component's row holds (the rows plus these add up to the total).
 */
export function cpuLine(cpu: CpuSummary, cores = availableParallelism()): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const used = cpu.wallMs > 0 ? cpu.totalMs / cpu.wallMs : 0;
  return [
    `cpu: ${s(cpu.totalMs)} in ${s(cpu.wallMs)} = ${used.toFixed(2)} of ${cores} cores`,
    `(ffmpeg processes ${s(cpu.childrenMs)});`,
    `in no component: main thread ${s(cpu.mainOutsideMs)}, other threads ${s(cpu.otherThreadsMs)}`,
  ].join(' ');
}
