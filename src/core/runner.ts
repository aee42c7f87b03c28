import {
  catchError,
  defer,
  filter,
  identity,
  Observable,
  type OperatorFunction,
  Subscription,
  tap,
  throwError,
} from 'rxjs';
import type { Clock } from './clock.ts';
import type { Sink, SinkHost, Source, StreamInfo } from './component.ts';
import type { CpuAccount, CpuLedger, CpuSummary } from './cpu-ledger.ts';
import type { DropPolicy } from './drop-queue.ts';
import { attributed, endedRun, FramewireError } from './errors.ts';
import { EventLedger } from './event-ledger.ts';
import type { Frame } from './frame.ts';
import { FrameHolds } from './frame-holds.ts';
import type { FramePool } from './frame-pool.ts';
import type { HealthReport, HealthState } from './health.ts';
import { LatencyGate } from './latency-gate.ts';
import { LiveBoundary, type LiveQueueConfig } from './live-boundary.ts';
import { silentLogger } from './log.ts';
import { Meter, type MeterSnapshot } from './meter.ts';
import type { MetricsView } from './metrics-view.ts';
import { openSink, SinkQueue } from './sink-queue.ts';

export interface RunnerStage {
  /** Its meter's name (`detect`, `resize#2`). */
  readonly name: string;
  /** Where it sits in the pipeline, for messages (`stages[1] (detect)`); defaults to `name`. */
  readonly label?: string;
  readonly operator: OperatorFunction<Frame, Frame>;
  close?(): Promise<void>;
  /** See StageInstance.holdsBack. */
  readonly holdsBack?: number;
  /** Frames older than this (now − capturedAt) when they reach the stage are dropped (FRAME_LATE). */
  readonly maxLatencyMs?: number;
}

export interface RunnerSink {
  /** Its meter's name (`sink:file`). */
  readonly name: string;
  /** Where it sits in the pipeline, for messages (`sinks[0] (file)`); defaults to `name`. */
  readonly label?: string;
  readonly sink: Sink;
  readonly queue: number;
  readonly policy: DropPolicy;
}

export interface RunnerOptions {
  readonly source: {
    readonly name: string;
    readonly label?: string;
    readonly source: Source;
    readonly info: StreamInfo;
    /**
     * A live source's queue: the source gets unlimited demand (with `block`,
     * as much as fits), the first `after` stages (the decoder of a packet
     * stream) run at the camera's rate, and this bounded queue sits between
     * them and the rest. Absent for sources read against demand (files).
     */
    readonly live?: LiveQueueConfig & { readonly after: number };
  };
  readonly stages: readonly RunnerStage[];
  readonly sinks: readonly RunnerSink[];
  /** At most this many frames between the source and the sinks' queues. */
  readonly maxInFlight: number;
  readonly clock: Clock;
  readonly pool: FramePool;
  /**
   * The channel components report into (`ctx.count`, `ctx.report`), keyed by
   * meter name: its counts show in the meters, its fatal errors end the run.
   */
  readonly events?: EventLedger;
  /**
   * Where CPU time goes, per component (the components' contexts hold their
   * accounts in it): the runner charges each stage's and sink's main-thread
   * calls, and the meters and the result show the figures.
   */
  readonly cpu?: CpuLedger;
}

export interface RunResult {
  /** Why the run ended. */
  readonly reason: 'end' | 'stopped';
  readonly meters: MeterSnapshot[];
  /** The largest number of frames that were ever in flight at once. */
  readonly peakInFlight: number;
  /** Each component's health at the end (live sources, network sinks), with counts by state. */
  readonly health: readonly HealthSummary[];
  /** The whole run's CPU, where this platform can measure it per thread. */
  readonly cpu?: CpuSummary;
}

/** A component's health over the run, for the summary and `--json-stats`. */
export interface HealthSummary {
  /** Its latest report. */
  readonly latest: HealthReport;
  /** Reports by state over the whole run. */
  readonly states: Partial<Record<HealthState, number>>;
}

/**
 * Composes source → stages → sinks and enforces flow control:
 * - a file-like source emits only against demand, and demand is given back
 *   only when a frame has left the pipeline (accepted by every sink), so at
 *   most `maxInFlight` frames are ever inside;
 * - a live source (`source.live`) is read at the camera's rate instead: its
 *   decoder (the first `after` stages) runs on every packet, and a bounded
 *   drop queue (LiveBoundary) right after it is where `maxInFlight` demand
 *   starts; frames dropped there count on the source's meter;
 * - each sink has its own bounded queue and policy (see SinkQueue);
 * - every stage and sink is wrapped in a Meter; frames without a capture
 *   time are stamped as they leave the source, and each sink's meter records
 *   their age when it takes them (`latencyMs`);
 * - a stage with `maxLatencyMs` drops older frames before its work (FRAME_LATE).
 * Errors: anything fatal (escaping the source, a stage's operator, a sink's
 * write or open, or reported with `ctx.report`) ends the run with that error,
 * named after its component; recoverable ones are counted by code on the
 * component's meter (a sink's recoverable write error also drops that frame for
 * that sink) and the run goes on.
 * Sinks are opened before the source starts. On the source's end or `stop()`,
 * in-flight frames drain, sinks finalize, and everything is torn down exactly
 * once — also after a failure or a failed open.
 */
export class PipelineRun {
  readonly meters: Meter[] = [];
  #inFlight = 0;
  /** Demand given to the source (or, live, to the boundary) and not yet met. */
  #requested = 0;
  /**
   * Frames past the last stage that holds frames back (the decoder), not yet
   * retired: the pictures that `maxInFlight` bounds. Without such a stage, every
   * frame counts from the source (live: from the boundary) on.
   */
  readonly #decoded = new Set<number>();
  readonly #lastHolding: number;
  readonly #heldBack: number;
  /** Live: stages before the boundary (the decoder of a packet stream); 0 otherwise. */
  readonly #split: number;
  readonly #boundary: LiveBoundary | undefined;
  /** Live with `block`: frames out of the source and not yet past the boundary, and unmet demand. */
  #upstream = 0;
  #sourceRequested = 0;
  readonly #upstreamHeldBack: number;
  #peakInFlight = 0;
  #stopped = false;
  #failure: Error | undefined;
  readonly #sourceMeter: Meter;
  readonly #stageMeters: Meter[];
  readonly #sinkQueues: SinkQueue[];
  readonly #subscription = new Subscription();
  readonly #events: EventLedger;
  /** Who still holds each frame, so its buffer returns to the pool exactly once. */
  readonly #holds: FrameHolds;
  /** What sinks see of the metrics: read-only. */
  readonly metrics: MetricsView = {
    snapshot: () => this.snapshot(),
    onEvent: (listener) => this.#events.subscribe(listener),
    health: () => this.#events.healthNow(),
    onHealth: (listener) => this.#events.subscribeHealth(listener),
  };

  constructor(private readonly opts: RunnerOptions) {
    const live = opts.source.live;
    this.#split = live ? Math.min(live.after, opts.stages.length) : 0;
    const after = opts.stages.slice(this.#split);
    const holding = lastIndexWhere(after, (s) => (s.holdsBack ?? 0) > 0);
    this.#lastHolding = holding < 0 ? -1 : holding + this.#split;
    this.#heldBack = after.reduce((n, s) => n + (s.holdsBack ?? 0), 0);
    this.#upstreamHeldBack = opts.stages
      .slice(0, this.#split)
      .reduce((n, s) => n + (s.holdsBack ?? 0), 0);
    if (opts.sinks.length === 0) throw new Error('a pipeline needs at least one sink');
    this.#events = opts.events ?? new EventLedger(opts.clock, silentLogger);
    this.#holds = new FrameHolds((frame) => {
      if (frame.data.byteLength > 0) opts.pool.release(frame.data);
    });
    // Meters in pipeline order: source, stages, sinks (the summary table, stats messages).
    this.#sourceMeter = this.#meter(opts.source.name, 'source');
    this.#stageMeters = opts.stages.map((s) => this.#meter(s.name, 'stage'));
    this.#sinkQueues = opts.sinks.map((s) => {
      const meter = this.#meter(s.name, 'sink');
      const queue = new SinkQueue({
        name: s.name,
        label: s.label ?? s.name,
        sink: s.sink,
        capacity: s.queue,
        policy: s.policy,
        meter,
        clock: opts.clock,
        done: (frame) => this.#holds.done(frame),
        report: (err) => this.#events.report(s.name, s.label ?? s.name, err),
        ...(opts.cpu?.available ? { cpu: opts.cpu.account(s.name) } : {}),
      });
      meter.queueDepth = () => queue.depth;
      return queue;
    });
    if (live) {
      const boundary = new LiveBoundary(live, {
        now: () => opts.clock.now(),
        taken: (frame, waitMs) => {
          this.#upstream--;
          this.#sourceMeter.frameOut(undefined, waitMs);
          this.#enter(frame);
          this.#topUpSource();
        },
        discarded: (frame, why) => {
          this.#upstream--;
          this.#holds.drop(frame);
          if (why === 'late') this.#events.count(opts.source.name, 'FRAME_LATE');
          this.#topUpSource();
        },
        // A stage after the queue that holds frames back may want more before one comes out.
        emitted: () => {
          if (this.#lastHolding >= 0) this.#topUp();
        },
      });
      this.#boundary = boundary;
      this.#sourceMeter.queueDepth = () => boundary.queued;
    }
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get peakInFlight(): number {
    return this.#peakInFlight;
  }

  /** The live source's queue, if the source is live: its settings and how many stages run before it. */
  get liveQueue(): (LiveQueueConfig & { readonly after: number }) | undefined {
    return this.opts.source.live;
  }

  /** Runs to the end of the source (or `stop()`); rejects on a fatal error after finalizing sinks. */
  async run(): Promise<RunResult> {
    const { source } = this.opts.source;
    this.#events.onFatal((err) => this.#fail(err));
    try {
      await this.#openSinks();
      await new Promise<void>((resolve, reject) => {
        this.#failSignal = reject;
        if (this.#failure) {
          reject(this.#failure);
          return;
        }
        const stage = (stream$: Observable<Frame>, i: number) =>
          stream$.pipe(
            this.#metered(this.opts.stages[i]!, this.#stageMeters[i]!, i === this.#lastHolding),
          );
        let frames$ = this.#sourceFrames();
        for (let i = 0; i < this.#split; i++) frames$ = stage(frames$, i);
        if (this.#boundary) frames$ = this.#boundary.attach(frames$);
        for (let i = this.#split; i < this.opts.stages.length; i++) frames$ = stage(frames$, i);
        this.#subscription.add(
          frames$.subscribe({
            next: (frame) => this.#fanOut(frame),
            error: (err: unknown) => reject(err),
            complete: () => resolve(),
          }),
        );
      });
    } catch (err) {
      this.#failure ??= endedRun(asError(err));
    } finally {
      source.stop();
      await this.#teardown();
    }
    // The figures stay readable; only the periodic reading of threads ends.
    this.opts.cpu?.stop();
    if (this.#failure) throw this.#failure;
    return {
      reason: this.#stopped ? 'stopped' : 'end',
      meters: this.snapshot(),
      peakInFlight: this.#peakInFlight,
      health: this.health(),
      ...this.#cpuSummary(),
    };
  }

  /** The run's CPU totals so far (whole once it is over), where measurable. */
  cpuSummary(): CpuSummary | undefined {
    return this.opts.cpu?.summary();
  }

  #cpuSummary(): { cpu?: CpuSummary } {
    const cpu = this.cpuSummary();
    return cpu ? { cpu } : {};
  }

  /** Graceful stop: the source stops, frames in flight drain, sinks finalize. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.opts.source.source.stop();
  }

  snapshot(): MeterSnapshot[] {
    const boundary = this.#boundary;
    this.#sourceMeter.dropped =
      this.opts.source.source.dropped() + (boundary ? boundary.dropped + boundary.late : 0);
    const cpu = this.opts.cpu?.byComponent();
    return this.meters.map((m) => {
      const snap = m.snapshot();
      const cpuMs = cpu?.get(m.name);
      return {
        ...snap,
        events: { ...snap.events, ...this.#events.counts(m.name) },
        ...(cpuMs !== undefined ? { cpuMs: Math.round(cpuMs) } : {}),
      };
    });
  }

  /** Each component's latest health report and its reports by state, in order of first report. */
  health(): HealthSummary[] {
    return this.#events
      .healthNow()
      .map((latest) => ({ latest, states: this.#events.healthStates(latest.component) }));
  }

  /** Opens every sink, in order, before the source starts; the first failure ends the run. */
  async #openSinks(): Promise<void> {
    for (const { sink, name, label = name } of this.opts.sinks) {
      if (this.#failure) return;
      const host: SinkHost = {
        metrics: this.metrics,
        retain: (frame) => {
          const release = this.#holds.retain(frame, () =>
            this.#events.count(name, 'DOUBLE_RELEASE'),
          );
          if (release) return release;
          // Not thrown: a late retain often runs in a callback, where a throw would crash the process.
          this.#events.report(
            name,
            label,
            new FramewireError(
              'SINK_WRITE',
              `retained frame ${frame.seq} after it was let go; retain inside write(), before it resolves`,
            ),
          );
          return () => {};
        },
      };
      await openSink(sink, host, label);
    }
  }

  #failSignal: ((err: Error) => void) | undefined;

  #fail(err: Error): void {
    this.#failure ??= err;
    this.opts.source.source.stop();
    this.#failSignal?.(err);
  }

  #meter(name: string, kind: MeterSnapshot['kind']): Meter {
    const meter = new Meter(name, kind, this.opts.clock);
    this.meters.push(meter);
    return meter;
  }

  #sourceFrames(): Observable<Frame> {
    const { source } = this.opts.source;
    const account = this.#account(this.opts.source.name);
    return new Observable<Frame>((subscriber) => {
      const start = () =>
        source.start({
          next: (frame) => {
            // Live sources stamp frames on arrival; the rest are captured as they leave the source.
            frame.meta.capturedAt ??= this.opts.clock.now();
            this.#holds.enter(frame.seq, this.#sinkQueues.length);
            this.#sourceMeter.frameIn();
            if (this.#boundary) {
              this.#upstream++;
              this.#sourceRequested = Math.max(0, this.#sourceRequested - 1);
              subscriber.next(frame);
              return;
            }
            this.#sourceMeter.frameOut();
            this.#enter(frame);
            subscriber.next(frame);
            // A packet went into the decoder: it may want more before a picture comes out.
            if (this.#lastHolding >= 0) this.#topUp();
          },
          error: (err) =>
            subscriber.error(attributed(err, this.opts.source.label ?? this.opts.source.name)),
          complete: () => subscriber.complete(),
        });
      if (account) account.run(start);
      else start();
      if (this.#boundary) this.#topUpSource();
      this.#topUp();
    });
  }

  /** Component `name`'s CPU account, where CPU is measured. */
  #account(name: string): CpuAccount | undefined {
    const cpu = this.opts.cpu;
    return cpu?.available ? cpu.account(name) : undefined;
  }

  /** A frame enters the part of the pipeline that `maxInFlight` bounds. */
  #enter(frame: Frame): void {
    this.#requested = Math.max(0, this.#requested - 1);
    if (this.#lastHolding < 0) this.#decoded.add(frame.seq);
    this.#inFlight++;
    if (this.#inFlight > this.#peakInFlight) this.#peakInFlight = this.#inFlight;
  }

  /**
   * Wraps a stage in its meter. Stages keep frame order, so service time is
   * exit − max(entry, previous exit) (for a stage that holds frames back, the
   * latest entry) and the rest is queue wait; a frame that
   * never comes out before a later one is counted as dropped by that stage.
   */
  #metered(stage: RunnerStage, meter: Meter, decodes: boolean): OperatorFunction<Frame, Frame> {
    const clock = this.opts.clock;
    const upstream = this.opts.stages.indexOf(stage) < this.#split;
    const lost = (seq: number) => (upstream ? this.#lostUpstream() : this.#retire(seq));
    const budget = stage.maxLatencyMs;
    return (input$) =>
      defer(() => {
        const entered: { seq: number; at: number }[] = [];
        let lastExit = Number.NEGATIVE_INFINITY;
        let lastEntry = Number.NEGATIVE_INFINITY;
        // A stage that holds frames back (a decoder reordering B-frames) emits a
        // picture only once later packets are in, so its frame's own entry says
        // nothing about work: its service starts at the latest input instead, and
        // the wait for that input counts as queue wait, not as decoding.
        const holds = (stage.holdsBack ?? 0) > 0;
        // Too old to be worth the work: dropped just before it, and counted. A
        // decoder is checked as frames reach it instead: it may lose several
        // pictures in a row without a sign, and a gate would wait for them.
        const late = (frame: Frame) => {
          meter.frameIn();
          meter.drop();
          this.#events.count(stage.name, 'FRAME_LATE');
          this.#holds.drop(frame);
          lost(frame.seq);
        };
        const gate =
          budget !== undefined && !holds
            ? new LatencyGate(budget, { now: () => clock.now(), late })
            : undefined;
        return input$.pipe(
          gate?.operator ?? identity,
          filter((frame) => {
            if (budget === undefined || gate) return true;
            const now = clock.now();
            if (now - (frame.meta.capturedAt ?? now) <= budget) return true;
            late(frame);
            return false;
          }),
          tap((frame) => {
            meter.frameIn();
            lastEntry = clock.now();
            entered.push({ seq: frame.seq, at: gate?.arrivedAt(frame.seq) ?? lastEntry });
          }),
          charged(this.#account(stage.name)),
          stage.operator,
          tap((frame) => {
            let left = 1;
            while (entered.length > 0 && entered[0]!.seq < frame.seq) {
              const seq = entered.shift()!.seq;
              this.#holds.forget(seq);
              meter.drop();
              lost(seq);
              left++;
            }
            const entry = entered[0]?.seq === frame.seq ? entered.shift() : undefined;
            const now = clock.now();
            const start = entry ? Math.max(holds ? lastEntry : entry.at, lastExit) : now;
            lastExit = now;
            meter.frameOut(now - start, entry ? start - entry.at : 0);
            if (decodes) this.#decoded.add(frame.seq);
            frame.meta.timings[stage.name] = now - start;
            // After this frame is on its way: the next one may start.
            if (gate) queueMicrotask(() => gate.left(left));
          }),
          catchError((err: unknown) =>
            throwError(() => attributed(err, stage.label ?? stage.name)),
          ),
        );
      });
  }

  #fanOut(frame: Frame): void {
    let awaiting = this.#sinkQueues.length;
    const accepted = () => {
      if (--awaiting === 0) this.#retire(frame.seq);
    };
    for (const queue of this.#sinkQueues) queue.offer(frame, accepted);
  }

  /** A frame left the pipeline (or was dropped on the way): demand for one more. */
  #retire(seq: number): void {
    this.#inFlight--;
    this.#decoded.delete(seq);
    this.#topUp();
  }

  /** A stage before the live boundary (the decoder) lost a frame. */
  #lostUpstream(): void {
    this.#upstream--;
    this.#topUpSource();
  }

  /**
   * Gives the source (live: the boundary) as much demand as both bounds allow:
   * at most `maxInFlight` pictures past the decoder (counting demand not yet
   * met, since each packet may become one), and at most `maxInFlight` plus what
   * the decoders may hold back in all. A B-frame decoder that needs packets
   * ahead before its first picture gets them (nothing is decoded yet, so the
   * first bound is not reached), and a decoder that answers at once cannot fill
   * the pipeline with pictures.
   */
  #topUp(): void {
    // After stop(), a live queue still hands on what it holds (at most `queue`
    // frames; the source adds nothing more): it completes only once empty, so
    // withholding demand would hang. A stopped file source gets no more demand.
    if (this.#failure || (this.#stopped && !this.#boundary)) return;
    const max = this.opts.maxInFlight;
    const n = Math.min(
      max + this.#heldBack - this.#inFlight - this.#requested,
      max - this.#decoded.size - this.#requested,
    );
    if (n <= 0) return;
    this.#requested += n;
    if (this.#boundary) this.#boundary.request(n);
    else this.opts.source.source.request(n);
  }

  /**
   * A live source reads at its own rate: unlimited demand, given once. With
   * `block` (tests), only what fits: the queue plus what the decoder before it
   * may hold back, so nothing is ever dropped and the source is paused instead.
   */
  #topUpSource(): void {
    const live = this.opts.source.live;
    if (!live || this.#stopped || this.#failure) return;
    if (live.policy !== 'block') {
      if (this.#sourceRequested === 0) {
        this.#sourceRequested = Number.POSITIVE_INFINITY;
        this.opts.source.source.request(Number.POSITIVE_INFINITY);
      }
      return;
    }
    const n = live.capacity + this.#upstreamHeldBack - this.#upstream - this.#sourceRequested;
    if (n <= 0) return;
    this.#sourceRequested += n;
    this.opts.source.source.request(n);
  }

  #tornDown = false;

  async #teardown(): Promise<void> {
    if (this.#tornDown) return;
    this.#tornDown = true;
    this.#subscription.unsubscribe();
    // Whatever still waits at the live boundary never reaches a sink: its buffers go back now.
    for (const frame of this.#boundary?.clear() ?? []) this.#holds.drop(frame);
    // Sinks first, so whatever reached them is written and finalized even after a failure.
    const named = (label: string, close: Promise<void> | undefined) =>
      close?.catch((err: unknown) => {
        throw attributed(err, label);
      });
    const { source } = this.opts;
    const results = await Promise.allSettled([
      ...this.#sinkQueues.map((q, i) => named(this.opts.sinks[i]!.label ?? q.name, q.close())),
      ...this.opts.stages.map((s) => named(s.label ?? s.name, s.close?.())),
      named(source.label ?? source.name, source.source.close()),
    ]);
    for (const r of results) {
      if (r.status === 'rejected') this.#failure ??= asError(r.reason);
    }
  }
}

/**
 * Delivers each frame (and the end) to the stage inside its CPU account, so
 * the stage's synchronous work on it is charged to the stage; what the stage
 * then emits is charged to the next stage the same way (nested calls charge
 * the inner one).
 */
function charged(account: CpuAccount | undefined): OperatorFunction<Frame, Frame> {
  if (!account) return identity;
  return (input$) =>
    new Observable<Frame>((subscriber) =>
      input$.subscribe({
        next: (frame) => account.run(() => subscriber.next(frame)),
        error: (err: unknown) => subscriber.error(err),
        complete: () => account.run(() => subscriber.complete()),
      }),
    );
}

/** The index of the last item that passes `test`, or -1. */
function lastIndexWhere<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}

function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new FramewireError('STAGE_FAILED', String(err));
}
