import { defer, Observable, type OperatorFunction, Subscription, tap } from 'rxjs';
import type { Clock } from './clock.ts';
import type { Sink, Source, StreamInfo } from './component.ts';
import type { DropPolicy } from './drop-queue.ts';
import { FramewireError } from './errors.ts';
import type { Frame } from './frame.ts';
import type { FramePool } from './frame-pool.ts';
import { Meter, type MeterSnapshot } from './meter.ts';
import { SinkQueue } from './sink-queue.ts';

export interface RunnerStage {
  readonly name: string;
  readonly operator: OperatorFunction<Frame, Frame>;
  close?(): Promise<void>;
  /** See StageInstance.holdsBack. */
  readonly holdsBack?: number;
}

export interface RunnerSink {
  readonly name: string;
  readonly sink: Sink;
  readonly queue: number;
  readonly policy: DropPolicy;
}

export interface RunnerOptions {
  readonly source: { readonly name: string; readonly source: Source; readonly info: StreamInfo };
  readonly stages: readonly RunnerStage[];
  readonly sinks: readonly RunnerSink[];
  /** At most this many frames between the source and the sinks' queues. */
  readonly maxInFlight: number;
  readonly clock: Clock;
  readonly pool: FramePool;
  /** Recoverable events counted by components (`ctx.count`), by meter name. */
  readonly events?: ReadonlyMap<string, Readonly<Record<string, number>>>;
}

export interface RunResult {
  /** Why the run ended. */
  readonly reason: 'end' | 'stopped';
  readonly meters: MeterSnapshot[];
  /** The largest number of frames that were ever in flight at once. */
  readonly peakInFlight: number;
}

/**
 * Composes source → stages → sinks and enforces flow control:
 * - the source emits only against demand, and demand is given back only when a
 *   frame has left the pipeline (accepted by every sink), so at most
 *   `maxInFlight` frames are ever inside;
 * - each sink has its own bounded queue and policy (see SinkQueue);
 * - every stage and sink is wrapped in a Meter.
 * On the source's end or `stop()`, in-flight frames drain, sinks finalize, and
 * everything is torn down exactly once — also after a failure.
 */
export class PipelineRun {
  readonly meters: Meter[] = [];
  #inFlight = 0;
  #peakInFlight = 0;
  #stopped = false;
  #failure: Error | undefined;
  readonly #sourceMeter: Meter;
  readonly #sinkQueues: SinkQueue[];
  readonly #subscription = new Subscription();
  /** Sinks still holding each frame (keyed by seq), to return its buffer once. */
  readonly #refs = new Map<number, number>();

  constructor(private readonly opts: RunnerOptions) {
    if (opts.sinks.length === 0) throw new Error('a pipeline needs at least one sink');
    this.#sourceMeter = this.#meter(opts.source.name, 'source');
    this.#sinkQueues = opts.sinks.map(
      (s) =>
        new SinkQueue(
          s.name,
          s.sink,
          s.queue,
          s.policy,
          this.#meter(s.name, 'sink'),
          opts.clock,
          (frame) => this.#sinkDone(frame),
          (err) => this.#fail(err),
        ),
    );
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get peakInFlight(): number {
    return this.#peakInFlight;
  }

  /** Runs to the end of the source (or `stop()`); rejects on a fatal error after finalizing sinks. */
  async run(): Promise<RunResult> {
    const { source } = this.opts.source;
    try {
      await new Promise<void>((resolve, reject) => {
        const frames$ = this.opts.stages.reduce(
          (stream$, stage) => stream$.pipe(this.#metered(stage)),
          this.#sourceFrames(),
        );
        this.#subscription.add(
          frames$.subscribe({
            next: (frame) => this.#fanOut(frame),
            error: (err: unknown) => reject(err),
            complete: () => resolve(),
          }),
        );
        this.#failSignal = reject;
      });
    } catch (err) {
      this.#failure ??= asError(err);
    } finally {
      source.stop();
      await this.#teardown();
    }
    if (this.#failure) throw this.#failure;
    return {
      reason: this.#stopped ? 'stopped' : 'end',
      meters: this.snapshot(),
      peakInFlight: this.#peakInFlight,
    };
  }

  /** Graceful stop: the source stops, frames in flight drain, sinks finalize. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.opts.source.source.stop();
  }

  snapshot(): MeterSnapshot[] {
    this.#sourceMeter.dropped = this.opts.source.source.dropped();
    return this.meters.map((m) => {
      const snap = m.snapshot();
      const extra = this.opts.events?.get(m.name);
      return extra ? { ...snap, events: { ...snap.events, ...extra } } : snap;
    });
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
    return new Observable<Frame>((subscriber) => {
      source.start({
        next: (frame) => {
          this.#inFlight++;
          if (this.#inFlight > this.#peakInFlight) this.#peakInFlight = this.#inFlight;
          this.#refs.set(frame.seq, this.#sinkQueues.length);
          this.#sourceMeter.frameIn();
          this.#sourceMeter.frameOut();
          subscriber.next(frame);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      const heldBack = this.opts.stages.reduce((n, s) => n + (s.holdsBack ?? 0), 0);
      source.request(this.opts.maxInFlight + heldBack);
    });
  }

  /**
   * Wraps a stage in its meter. Stages keep frame order, so service time is
   * exit − max(entry, previous exit) and the rest is queue wait; a frame that
   * never comes out before a later one is counted as dropped by that stage.
   */
  #metered(stage: RunnerStage): OperatorFunction<Frame, Frame> {
    const meter = this.#meter(stage.name, 'stage');
    const clock = this.opts.clock;
    return (input$) =>
      defer(() => {
        const entered: { seq: number; at: number }[] = [];
        let lastExit = Number.NEGATIVE_INFINITY;
        return input$.pipe(
          tap((frame) => {
            meter.frameIn();
            entered.push({ seq: frame.seq, at: clock.now() });
          }),
          stage.operator,
          tap((frame) => {
            while (entered.length > 0 && entered[0]!.seq < frame.seq) {
              this.#refs.delete(entered.shift()!.seq);
              meter.drop();
              this.#retire();
            }
            const entry = entered[0]?.seq === frame.seq ? entered.shift() : undefined;
            const now = clock.now();
            const start = entry ? Math.max(entry.at, lastExit) : now;
            lastExit = now;
            meter.frameOut(now - start, entry ? start - entry.at : 0);
            frame.meta.timings[stage.name] = now - start;
          }),
        );
      });
  }

  #fanOut(frame: Frame): void {
    let awaiting = this.#sinkQueues.length;
    const accepted = () => {
      if (--awaiting === 0) this.#retire();
    };
    for (const queue of this.#sinkQueues) queue.offer(frame, accepted);
  }

  /** A frame left the pipeline: give the source demand for one more. */
  #retire(): void {
    this.#inFlight--;
    if (!this.#stopped && !this.#failure) this.opts.source.source.request(1);
  }

  #sinkDone(frame: Frame): void {
    const left = (this.#refs.get(frame.seq) ?? 1) - 1;
    if (left > 0) {
      this.#refs.set(frame.seq, left);
      return;
    }
    this.#refs.delete(frame.seq);
    if (frame.data.byteLength > 0) this.opts.pool.release(frame.data);
  }

  #tornDown = false;

  async #teardown(): Promise<void> {
    if (this.#tornDown) return;
    this.#tornDown = true;
    this.#subscription.unsubscribe();
    // Sinks first, so whatever reached them is written and finalized even after a failure.
    const results = await Promise.allSettled([
      ...this.#sinkQueues.map((q) => q.close()),
      ...this.opts.stages.map((s) => s.close?.()),
      this.opts.source.source.close(),
    ]);
    for (const r of results) {
      if (r.status === 'rejected') this.#failure ??= asError(r.reason);
    }
  }
}

function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new FramewireError('STAGE_FAILED', String(err));
}
