import type { ComponentRegistries } from '../core/component.ts';
import type { ComponentConfig, PipelineConfig } from './pipeline-config.ts';
import type { Clock } from './clock.ts';
import type {
  ComponentContext,
  Source,
  SourceStream,
  StageInstance,
  StreamInfo,
} from './component.ts';
import { CpuLedger } from './cpu-ledger.ts';
import type { DropPolicy } from './drop-queue.ts';
import { attributed, FramewireError } from './errors.ts';
import { EventLedger } from './event-ledger.ts';
import { FramePool } from './frame-pool.ts';
import { liveQueueConfig } from './live-source-options.ts';
import type { Logger } from './log.ts';
import { PipelineRun, type RunnerSink, type RunnerStage } from './runner.ts';
import { type ThreadBudget, threadBudget } from './thread-budget.ts';

export interface AssembleOptions {
  readonly registries: ComponentRegistries;
  readonly clock: Clock;
  readonly log: Logger;
  readonly baseDir: string;
  /**
   * Aborting it (Ctrl-C) stops assembly: a source still connecting is
   * stopped, so its pending open() rejects, everything opened is closed, and
   * the promise rejects with PipelineStopped.
   */
  readonly signal?: AbortSignal;
}

/** Assembly was aborted (AssembleOptions.signal) before the pipeline could run. */
export class PipelineStopped extends Error {
  constructor(
    /** Whether the source had opened (connected) when the stop came. */
    readonly sourceOpened: boolean,
  ) {
    super(
      sourceOpened ? 'stopped before the pipeline started' : 'stopped before the source connected',
    );
    this.name = 'PipelineStopped';
  }
}

export interface AssembledPipeline {
  readonly run: PipelineRun;
  readonly stream: SourceStream;
}

/**
 * Creates and opens every component of a validated pipeline, in order: the
 * source first (its stream tells stages and sinks what they will receive),
 * then stages and sinks. If anything fails to open, what was opened is torn
 * down before the error propagates.
 */
export async function assemblePipeline(
  config: PipelineConfig,
  opts: AssembleOptions,
): Promise<AssembledPipeline> {
  // Enough idle buffers for everything that can be held at once (in flight, in
  // sink queues and being written, one being read, a live source's queue), so
  // none is ever re-allocated.
  const liveQueue = liveQueueConfig(config.source.options);
  const held = config.sinks.reduce(
    (n, s) => n + (s.options.queue as number) + 1,
    config.maxInFlight + 2 + liveQueue.capacity,
  );
  const pool = new FramePool(held);
  const { signal } = opts;
  let stopSource: (() => void) | undefined;
  const onAbort = () => stopSource?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  let sourceOpened = false;
  /** Between steps: a stop that came meanwhile ends assembly here. */
  const checkStopped = () => {
    if (signal?.aborted) throw new PipelineStopped(sourceOpened);
  };
  /**
   * A step that may take long (a camera connecting, a model loading) ends at
   * the stop, whether or not it honours it: what it opened is closed below.
   */
  const unlessStopped = <T>(step: Promise<T>, disposeLate?: (late: T) => unknown): Promise<T> => {
    if (!signal) return step;
    return new Promise<T>((resolve, reject) => {
      let stopped = false;
      const stop = () => {
        stopped = true;
        reject(new PipelineStopped(sourceOpened));
      };
      if (signal.aborted) stop();
      signal.addEventListener('abort', stop, { once: true });
      step
        .then((value) => {
          // Finished after the stop: nobody will use it, so it is closed here.
          if (stopped) void Promise.resolve(disposeLate?.(value)).catch(() => {});
          resolve(value);
        }, reject)
        .finally(() => signal.removeEventListener('abort', stop));
    });
  };
  const events = new EventLedger(opts.clock, opts.log);
  const threads = pipelineThreadBudget(
    withImplicitEncode(config.stages, config.sinks, opts.registries),
  );
  // From here on, CPU is charged to the component whose code runs (a model
  // opened in a stage's create is that stage's).
  const cpu = new CpuLedger();
  /** Runs a component's create or open with the synchronous part charged to it. */
  const charged = <T>(meter: string, fn: () => T): T =>
    cpu.available ? cpu.account(meter).run(fn) : fn();
  const context = (label: string, meter: string, stream?: SourceStream): ComponentContext => ({
    name: label,
    pipeline: config.name,
    clock: opts.clock,
    log: opts.log,
    baseDir: opts.baseDir,
    pool,
    stream,
    count: (event, n = 1) => events.count(meter, event, n),
    report: (err) => events.report(meter, label, err),
    health: (event) => events.health(meter, event),
    threads,
    ...(cpu.available ? { cpu: cpu.account(meter) } : {}),
  });
  const opened: { close(): Promise<void> }[] = [];
  try {
    checkStopped();
    const sourceLabel = `source (${config.source.type})`;
    const sourceMeter = `source:${config.source.type}`;
    const source: Source = await opts.registries.sources
      .get(config.source.type)
      .create(config.source.options as never, context(sourceLabel, sourceMeter));
    opened.push(source);
    stopSource = () => source.stop();
    checkStopped();
    const info = await unlessStopped(
      withComponent(sourceLabel, () => charged(sourceMeter, () => source.open())),
    );
    sourceOpened = true;
    checkStopped();
    const stream: SourceStream = { ...info, live: source.live };

    const stages: RunnerStage[] = [];
    const stageConfigs = withImplicitEncode(
      withImplicitDecode(config.stages, info.emits, opts.registries),
      config.sinks,
      opts.registries,
    );
    for (const [i, c] of stageConfigs.entries()) {
      const label = `${c.path} (${c.type})`;
      const name = meterName(stageConfigs, i);
      const made = await unlessStopped(
        withComponent(label, async () =>
          charged(name, () =>
            opts.registries.stages
              .get(c.type)
              .create(c.options as never, context(label, name, stream)),
          ),
        ),
        (late) => (typeof late === 'function' ? undefined : late.close()),
      );
      const instance: StageInstance =
        typeof made === 'function' ? { operator: made, close: async () => {} } : made;
      opened.push(instance);
      checkStopped();
      const maxLatencyMs = commonMaxLatency(c, opts.registries);
      stages.push({
        name,
        label,
        operator: instance.operator,
        close: () => instance.close(),
        holdsBack: instance.holdsBack ?? 0,
        ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
      });
    }

    const sinks: RunnerSink[] = [];
    for (const [i, c] of config.sinks.entries()) {
      const label = `${c.path} (${c.type})`;
      const name = `sink:${meterName(config.sinks, i)}`;
      const sink = await withComponent(label, async () =>
        charged(name, () =>
          opts.registries.sinks
            .get(c.type)
            .create(c.options as never, context(label, name, stream)),
        ),
      );
      opened.push(sink);
      checkStopped();
      sinks.push({
        name,
        label,
        sink,
        queue: c.options.queue as number,
        policy: c.options.policy as DropPolicy,
      });
    }

    // A live source's queue sits after its decoder: packets are never dropped.
    const live = source.live
      ? { ...liveQueue, after: info.emits === 'packets' ? 1 : 0 }
      : undefined;
    const run = new PipelineRun({
      source: { name: sourceMeter, label: sourceLabel, source, info, ...(live ? { live } : {}) },
      events,
      stages,
      sinks,
      maxInFlight: config.maxInFlight,
      clock: opts.clock,
      pool,
      cpu,
    });
    return { run, stream };
  } catch (err) {
    await Promise.allSettled(opened.reverse().map((c) => c.close()));
    // No run will stop the ledger's periodic reading: stop it here.
    cpu.stop();
    if (signal?.aborted) throw new PipelineStopped(sourceOpened);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A stage's common `maxLatencyMs` (config/stage-options.ts), unless the stage declares its own. */
function commonMaxLatency(c: ComponentConfig, registries: ComponentRegistries): number | undefined {
  if (Object.hasOwn(registries.stages.get(c.type).options, 'maxLatencyMs')) return undefined;
  const value = c.options.maxLatencyMs;
  return typeof value === 'number' ? value : undefined;
}

/**
 * A source that emits encoded packets is followed by a `decode` stage with its
 * default options, unless the pipeline's first stage already is one, so that
 * decoding is metered (its own row, events such as FRAME_CORRUPT) like any stage.
 */
function withImplicitDecode(
  stages: readonly ComponentConfig[],
  emits: StreamInfo['emits'],
  registries: ComponentRegistries,
): readonly ComponentConfig[] {
  if (emits !== 'packets' || stages[0]?.type === 'decode') return stages;
  const options = optionDefaults(registries.stages.get('decode').options);
  return [{ type: 'decode', path: 'implicit', options }, ...stages];
}

/**
 * The stages to run: the pipeline's own, plus an `encode` stage at the end when
 * a file, rtsp or websocket sink would otherwise get raw frames (they only mux
 * or send access units). For a file sink it is libx264 High through ffmpeg, as
 * the file sink always wrote, with that sink's `crf`, `preset` and
 * `keyframeInterval` (the first file sink's, if several). For an rtsp sink
 * alone it is the same encoder at the default bitrate in `realtime` mode, with
 * that sink's `keyframeInterval` (short, so that a reconnected stream resumes
 * soon); with both, the file sink's settings apply and the shorter of the two
 * key-frame intervals. For a `websocket` sink with `video: h264` alone it is
 * libx264 Baseline, realtime, a key frame every half second: every browser's
 * WebCodecs decodes Baseline, and a viewer who joins waits at most that long
 * for a picture (with a file or rtsp sink as well, theirs is used).
 * It shows in stats and messages as `encode`, at `sinks[N].encode`.
 */
function withImplicitEncode(
  stages: readonly ComponentConfig[],
  sinks: readonly ComponentConfig[],
  registries: ComponentRegistries,
): readonly ComponentConfig[] {
  const file = sinks.find((s) => s.type === 'file');
  const rtsp = sinks.find((s) => s.type === 'rtsp');
  const feed = sinks.find((s) => s.type === 'websocket' && s.options.video === 'h264');
  const encode = registries.stages.find('encode');
  if (!encode || stages.some((s) => s.type === 'encode')) return stages;
  const defaults = optionDefaults(encode.options);
  const owner = file ?? rtsp;
  if (owner) {
    const intervals = [file, rtsp].flatMap((s) =>
      s ? [s.options.keyframeInterval as number] : [],
    );
    const options = {
      ...defaults,
      encoder: 'ffmpeg',
      profile: 'high',
      keyframeInterval: Math.min(...intervals),
      ...(file
        ? { crf: file.options.crf, preset: file.options.preset }
        : { latencyMode: 'realtime' }),
    };
    return [...stages, { type: 'encode', path: `${owner.path}.encode`, options }];
  }
  if (feed) {
    const options = {
      ...defaults,
      encoder: 'ffmpeg',
      profile: 'baseline',
      latencyMode: 'realtime',
      keyframeInterval: 0.5,
    };
    return [...stages, { type: 'encode', path: `${feed.path}.encode`, options }];
  }
  return stages;
}

/** Stage types that run an onnxruntime session. */
const INFERENCE_STAGES = new Set(['detect', 'segment']);

/** The thread budget for these stages (the implicit encoder included). */
function pipelineThreadBudget(stages: readonly ComponentConfig[]): ThreadBudget {
  return threadBudget({
    inference: stages.filter((s) => INFERENCE_STAGES.has(s.type)).length,
    encode: stages.some((s) => s.type === 'encode'),
  });
}

/** `detect`, or `detect#2` when a type appears more than once. */
function meterName(list: readonly ComponentConfig[], i: number): string {
  const type = list[i]!.type;
  const same = list.filter((c) => c.type === type).length;
  if (same === 1) return type;
  return `${type}#${list.slice(0, i + 1).filter((c) => c.type === type).length}`;
}

/** Attributes an opening failure to the component, keeping FramewireError's code and hint. */
async function withComponent<T>(label: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    if (err instanceof FramewireError) throw attributed(err, label);
    if (isSystemError(err)) {
      // A path the component could not create or open (ENOTDIR, EACCES, ENOSPC…):
      // the user's to fix, so a clear message rather than an internal error.
      throw new FramewireError(
        label.startsWith('sinks')
          ? 'SINK_OPEN'
          : label.startsWith('source')
            ? 'SOURCE_OPEN'
            : 'STAGE_FAILED',
        `cannot open: ${err.message}`,
        { component: label, hint: 'check the path and its permissions', cause: err },
      );
    }
    throw err;
  }
}

function isSystemError(err: unknown): err is NodeJS.ErrnoException & Error {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** The declared defaults of a component's options, as validation would fill them in. */
function optionDefaults(fields: Record<string, { default?: unknown }>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).flatMap(([k, f]) => (f.default === undefined ? [] : [[k, f.default]])),
  );
}
