import type { OperatorFunction } from 'rxjs';
import type { Fields, InferFields } from './schema.ts';
import type { Clock } from './clock.ts';
import type { CpuAccount } from './cpu-ledger.ts';
import type { FramewireError } from './errors.ts';
import type { EventCode } from './events.ts';
import type { Frame, PixelFormat } from './frame.ts';
import type { HealthEvent } from './health.ts';
import type { FramePool } from './frame-pool.ts';
import type { Logger } from './log.ts';
import type { MetricsView } from './metrics-view.ts';
import type { Registry } from './registry.ts';
import type { ThreadBudget } from './thread-budget.ts';

/** What every source, stage and sink receives besides its own config. */
export interface ComponentContext {
  /** Where it sits in the pipeline, for messages: `source`, `stages[1] (resize)`, `sinks[0] (file)`. */
  readonly name: string;
  /** The pipeline's `name` (for a feed's hello); absent outside a pipeline. */
  readonly pipeline?: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Relative paths in the pipeline file resolve against this directory (the cwd). */
  readonly baseDir: string;
  /** Reusable pixel buffers; whoever drops a frame returns its buffer here. */
  readonly pool: FramePool;
  /** Counts a recoverable event (a corrupt frame, a reconnect) on this component's meter. */
  count(event: EventCode, n?: number): void;
  /**
   * Reports an error the component handled or cannot handle, at any time
   * (from a callback, a timer, a background connection): a recoverable one is
   * counted under its code on this component's meter and the run goes on; a
   * fatal one ends the run with that error, naming this component. An error
   * that escapes an operator, `observer.error` or `open()` always ends the run:
   * the stream it broke cannot go on, whatever its flag.
   */
  report(err: FramewireError): void;
  /**
   * Publishes a live source's (or network sink's) health event at once: it is
   * logged, kept as the component's current state, and streamed to
   * `MetricsView.onHealth` subscribers (JSON lines, WebSocket, `/readyz`).
   */
  health(event: HealthEvent): void;
  /**
   * The opened source's stream (stages and sinks are created after the source
   * opens; a source itself sees undefined). Sizes may change in later stages.
   */
  readonly stream: SourceStream | undefined;
  /** Threads for each kind of component (core/thread-budget.ts); absent outside a pipeline. */
  readonly threads?: ThreadBudget;
  /**
   * This component's CPU account (core/cpu-ledger.ts): the runner charges its
   * stage and sink calls itself; a component charges its own callbacks and
   * continuations with `run`/`bind`, and registers the threads and processes it
   * starts. Absent outside a pipeline.
   */
  readonly cpu?: CpuAccount;
}

export interface SourceStream extends StreamInfo {
  /** A camera-like source that drops frames rather than fall behind. */
  readonly live: boolean;
}

/** Stream facts a source knows once opened; later components size themselves from them. */
export interface StreamInfo {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  /** Nominal frames per second, if known. */
  readonly fps: number | undefined;
  /** Total frames, if known (files with known duration). */
  readonly frames: number | undefined;
  /**
   * What the source's frames carry: decoded pixels (`frames`, the default when
   * absent) or encoded access units in `meta.packet` and no pixels (`packets`),
   * for which the assembler puts a `decode` stage right after the source.
   */
  readonly emits?: 'frames' | 'packets';
}

export interface SourceObserver {
  next(frame: Frame): void;
  error(err: Error): void;
  complete(): void;
}

/**
 * A source emits frames only against demand (`request`), reactive-streams style.
 * File sources stop reading (ffmpeg is paused by pipe backpressure) while there is
 * no demand; live sources keep draining their device into a bounded drop queue.
 */
export interface Source {
  readonly live: boolean;
  /** Probe and start reading; rejects with a clear FramewireError if the input is unusable. */
  open(): Promise<StreamInfo>;
  start(observer: SourceObserver): void;
  /** Allow `n` more frames to be emitted. */
  request(n: number): void;
  /** Stop producing soon; `complete()` follows. Safe to call more than once. */
  stop(): void;
  /** Release processes and handles. Idempotent; runs even after a failed open. */
  close(): Promise<void>;
  /** Frames the source dropped by policy (live sources), for the meters. */
  dropped(): number;
}

/**
 * Lifecycle: `open(host)` once, before the source starts (a rejection is a
 * SINK_OPEN error naming the sink, and everything is torn down); then `write`
 * per frame; then `close`, exactly once, also after a failed open or run.
 *
 * A `write` that throws a recoverable FramewireError (`fatal: false`, e.g. one
 * client's send failed) loses that frame for this sink only: the runner counts
 * the error's code on the sink's meter and a drop, and goes on. Anything else
 * it throws ends the run.
 */
export interface Sink {
  /** Connect, bind, create files: whatever must succeed before the first frame. */
  open?(host: SinkHost): Promise<void> | void;
  /** Resolves when the frame is written (or safely buffered, or retained); the runner respects it. */
  write(frame: Frame): Promise<void> | void;
  /** Flush and finalize (end of stream or shutdown). Idempotent. */
  close(): Promise<void>;
}

/** What the runner gives a sink at `open()`. */
export interface SinkHost {
  /** The live metrics of the whole pipeline, read-only: stats messages, `/metrics`. */
  readonly metrics: MetricsView;
  /**
   * Keeps `frame` (its pixel buffer) alive after `write()` resolves, for a sink
   * that sends it asynchronously: the buffer returns to the pool only when every
   * holder is done. Call it inside `write()`, before it resolves; call the
   * returned release exactly once (a second call is ignored and counted as
   * DOUBLE_RELEASE). Retaining a frame that was already let go ends the run
   * with a fatal SINK_WRITE naming the sink (its buffer may be another frame's).
   */
  retain(frame: Frame): FrameRelease;
}

/** Ends one hold on a retained frame. */
export type FrameRelease = () => void;

export interface ComponentDefinition<F extends Fields, T> {
  readonly type: string;
  /** One line shown in `--help`, the schema and the README reference. */
  readonly doc: string;
  readonly options: F;
  /**
   * Rules between options that no single declaration can state (`decoder:
   * webcodecs` cannot scale). Run by validation once every option is valid, so
   * `create` never has to reject a configuration late.
   */
  check?(config: InferFields<F>): readonly OptionProblem[];
  create(config: InferFields<F>, ctx: ComponentContext): T | Promise<T>;
}

/** A problem `check` found, reported at the option `key` (or at the component without one). */
export interface OptionProblem {
  readonly key?: string;
  readonly message: string;
}

export type SourceDefinition<F extends Fields = Fields> = ComponentDefinition<F, Source>;

/** A stage maps frames to frames; a stage that drops a frame calls `ctx.pool.release` on it. */
export type StageDefinition<F extends Fields = Fields> = ComponentDefinition<
  F,
  OperatorFunction<Frame, Frame> | StageInstance
>;

/** A stage that also needs teardown (model sessions, worker threads). */
export interface StageInstance {
  readonly operator: OperatorFunction<Frame, Frame>;
  close(): Promise<void>;
  /**
   * Frames this stage may hold before it emits the first (a decoder reordering
   * B-frames). The runner lets the source run this far ahead of `maxInFlight`;
   * such frames are still compressed packets, so they cost little memory.
   */
  readonly holdsBack?: number;
}

export interface SinkDefinition<F extends Fields = Fields> extends ComponentDefinition<F, Sink> {
  /**
   * Lossless sinks (files) get every frame and hold the pipeline back when slow;
   * lossy ones (live viewers) drop by policy so they never slow anything else.
   */
  readonly lossless: boolean;
  /**
   * The TCP port a sink that serves (a WebSocket feed) listens on, if fixed:
   * validation refuses two sinks on one port (0, any free port, returns undefined).
   */
  listenPort?(config: InferFields<F>): number | undefined;
}

/** Identity helper that keeps the option types of a definition inferred. */
export function defineSource<F extends Fields>(d: SourceDefinition<F>): SourceDefinition<F> {
  return d;
}
export function defineStage<F extends Fields>(d: StageDefinition<F>): StageDefinition<F> {
  return d;
}
export function defineSink<F extends Fields>(d: SinkDefinition<F>): SinkDefinition<F> {
  return d;
}

// Registries hold definitions of any option shape; each definition's own
// `create` stays precisely typed, and the config layer validates options
// against the same definition before `create` ever sees them.
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous option types
type AnyOptions = any;
export type AnySourceDefinition = SourceDefinition<AnyOptions>;
export type AnyStageDefinition = StageDefinition<AnyOptions>;
export type AnySinkDefinition = SinkDefinition<AnyOptions>;

/**
 * Every source, stage and sink a pipeline may name. Built once at the top
 * (`src/components-all.ts`) and passed down to config and the assembler, so
 * nothing below the registry file imports it.
 */
export interface ComponentRegistries {
  readonly sources: Registry<AnySourceDefinition>;
  readonly stages: Registry<AnyStageDefinition>;
  readonly sinks: Registry<AnySinkDefinition>;
}
