import type { Clock } from './clock.ts';
import type { EventCode, EventCounts } from './events.ts';

/** A snapshot of one component's meter, as shown in the summary, JSON stats and Prometheus. */
export interface MeterSnapshot {
  name: string;
  kind: 'source' | 'stage' | 'sink';
  framesIn: number;
  framesOut: number;
  dropped: number;
  /** Frames completed per second over the sliding window. */
  fps: number;
  /** Frames completed per second over the whole run. */
  avgFps: number;
  /** Service time in ms (time actually spent on a frame, excluding waiting). */
  processMs: { p50: number; p95: number; max: number };
  /** Time frames waited before being worked on, in ms. */
  queueWaitMs: { p50: number; p95: number; max: number };
  /** Service times as a cumulative histogram, for Prometheus (`framewire_process_seconds`). */
  processHistogram: HistogramSnapshot;
  /**
   * Sinks: age of each frame when this sink took it, from its capture
   * (`meta.capturedAt`) — what a viewer of this output waits, queues included.
   */
  latencyMs?: { p50: number; p95: number; max: number };
  /** Sinks: the same latencies as a cumulative histogram. */
  latencyHistogram?: HistogramSnapshot;
  /** Frames waiting now in this component's queue (a live source's, a sink's), where it has one. */
  queueDepth?: number;
  /**
   * CPU ms this component has used so far: its main-thread work, its threads
   * (an inference worker and onnxruntime's pool) and its child processes
   * (ffmpeg). Absent where threads have no CPU clock (outside Linux).
   */
  cpuMs?: number;
  /** Recoverable events by code (FRAME_CORRUPT, RECONNECT, …; see EVENT_DOCS); absent codes did not happen. */
  events: EventCounts;
}

/**
 * A cumulative histogram in Prometheus' shape: `counts[i]` observations were
 * ≤ `le[i]` ms (the implicit +Inf bucket is `count`), `sum` in ms.
 */
export interface HistogramSnapshot {
  readonly le: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** Bucket bounds in ms: from a fraction of a frame to seconds of delay. */
export const HISTOGRAM_BOUNDS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 33, 50, 100, 200, 500, 1000, 2000, 5000, 10000,
];

/** Counts per bucket over the whole run: constant memory, one comparison per bucket per frame. */
export class Histogram {
  readonly #counts = new Float64Array(HISTOGRAM_BOUNDS_MS.length);
  #sum = 0;
  #count = 0;

  observe(ms: number): void {
    this.#count++;
    this.#sum += ms;
    // Bounds ascend: the first bucket that fits and every later one hold it (cumulative).
    for (let i = HISTOGRAM_BOUNDS_MS.length - 1; i >= 0 && ms <= HISTOGRAM_BOUNDS_MS[i]!; i--) {
      this.#counts[i]!++;
    }
  }

  snapshot(): HistogramSnapshot {
    return {
      le: HISTOGRAM_BOUNDS_MS,
      counts: [...this.#counts],
      sum: round(this.#sum),
      count: this.#count,
    };
  }
}

const SAMPLES = 1024;

/** Last-N samples in a ring; percentiles are computed on demand, never per frame. */
class SampleRing {
  readonly #values = new Float64Array(SAMPLES);
  #count = 0;
  #max = 0;

  add(v: number): void {
    this.#values[this.#count % SAMPLES] = v;
    this.#count++;
    if (v > this.#max) this.#max = v;
  }

  summary(): { p50: number; p95: number; max: number } {
    const n = Math.min(this.#count, SAMPLES);
    if (n === 0) return { p50: 0, p95: 0, max: 0 };
    const sorted = this.#values.slice(0, n).sort();
    const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * n))]!;
    return { p50: round(at(0.5)), p95: round(at(0.95)), max: round(this.#max) };
  }
}

/**
 * Counts frames through one component and times them. FPS is frames completed
 * per second over a sliding window of `windowMs`, from the injected monotonic clock.
 */
export class Meter {
  framesIn = 0;
  framesOut = 0;
  dropped = 0;
  readonly events: EventCounts = {};
  readonly #process = new SampleRing();
  readonly #processHistogram = new Histogram();
  readonly #wait = new SampleRing();
  /** Sinks: frame age when taken, from capture; created on the first observation. */
  #latency: { ring: SampleRing; histogram: Histogram } | undefined;
  /** Frames waiting now in this component's queue, where it has one (set by the runner). */
  queueDepth: (() => number) | undefined;
  /** Completion times within the window, oldest first. */
  readonly #completions: number[] = [];
  #firstAt: number | undefined;
  #lastAt: number | undefined;

  constructor(
    readonly name: string,
    readonly kind: MeterSnapshot['kind'],
    private readonly clock: Clock,
    readonly windowMs = 2000,
  ) {}

  frameIn(): void {
    this.framesIn++;
    this.#firstAt ??= this.clock.now();
  }

  /** A frame completed; `processMs`/`waitMs` when known. */
  frameOut(processMs?: number, waitMs?: number): void {
    const now = this.clock.now();
    this.framesOut++;
    this.#firstAt ??= now;
    this.#lastAt = now;
    if (processMs !== undefined) {
      this.#process.add(processMs);
      this.#processHistogram.observe(processMs);
    }
    if (waitMs !== undefined) this.#wait.add(waitMs);
    this.#completions.push(now);
    this.#trim(now);
  }

  /** A frame's age (ms since its capture) as this component took it. */
  latency(ms: number): void {
    this.#latency ??= { ring: new SampleRing(), histogram: new Histogram() };
    this.#latency.ring.add(ms);
    this.#latency.histogram.observe(ms);
  }

  drop(n = 1): void {
    this.dropped += n;
  }

  count(event: EventCode, n = 1): void {
    this.events[event] = (this.events[event] ?? 0) + n;
  }

  fps(): number {
    const now = this.clock.now();
    this.#trim(now);
    if (this.#firstAt === undefined) return 0;
    // Before a whole window has passed, divide by the time actually elapsed.
    const span = Math.min(this.windowMs, now - this.#firstAt);
    return span > 0 ? (this.#completions.length * 1000) / span : 0;
  }

  snapshot(): MeterSnapshot {
    const elapsed =
      this.#firstAt !== undefined && this.#lastAt !== undefined ? this.#lastAt - this.#firstAt : 0;
    return {
      name: this.name,
      kind: this.kind,
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      dropped: this.dropped,
      fps: round(this.fps()),
      avgFps: elapsed > 0 ? round(((this.framesOut - 1) * 1000) / elapsed) : 0,
      processMs: this.#process.summary(),
      queueWaitMs: this.#wait.summary(),
      processHistogram: this.#processHistogram.snapshot(),
      ...(this.#latency
        ? {
            latencyMs: this.#latency.ring.summary(),
            latencyHistogram: this.#latency.histogram.snapshot(),
          }
        : {}),
      ...(this.queueDepth ? { queueDepth: this.queueDepth() } : {}),
      events: { ...this.events },
    };
  }

  #trim(now: number): void {
    const c = this.#completions;
    let k = 0;
    while (k < c.length && c[k]! <= now - this.windowMs) k++;
    if (k > 0) c.splice(0, k);
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
