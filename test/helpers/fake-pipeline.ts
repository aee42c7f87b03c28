// Small in-process components for runner contract tests: a source of tiny
// frames emitted against demand, and a way to run a YAML pipeline with them.
import { t } from '../../src/core/schema.ts';
import { parsePipeline } from '../../src/config/load.ts';
import type { ComponentRegistries } from '../../src/core/component.ts';
import { assemblePipeline } from '../../src/core/assemble.ts';
import { systemClock } from '../../src/core/clock.ts';
import {
  type ComponentContext,
  defineSource,
  type SourceObserver,
  type StreamInfo,
} from '../../src/core/component.ts';
import type { Frame } from '../../src/core/frame.ts';
import type { FramePool } from '../../src/core/frame-pool.ts';
import { type Logger, silentLogger } from '../../src/core/log.ts';
import type { PipelineRun, RunResult } from '../../src/core/runner.ts';

/** 2×2 yuv420p: six bytes a frame. */
const FRAME_BYTES = 6;

/**
 * A source of `frames` 2×2 frames from the pool, each filled with its seq (mod
 * 256), one per macrotask and only against demand; `onFrame(seq, ctx)` runs
 * just before frame `seq` is emitted.
 */
export function fakeSource(type: string, onFrame?: (seq: number, ctx: ComponentContext) => void) {
  return defineSource({
    type,
    doc: 'test: tiny frames against demand',
    options: { frames: t.integer({ doc: 'frames to emit', default: 10, min: 0 }) },
    create(config, ctx) {
      let demand = 0;
      let next = 0;
      let stopped = false;
      let scheduled = false;
      let observer: SourceObserver | undefined;
      const pump = () => {
        scheduled = false;
        if (!observer) return;
        if (stopped || next >= config.frames) {
          const o = observer;
          observer = undefined;
          o.complete();
          return;
        }
        if (demand === 0) return;
        demand--;
        const seq = next++;
        onFrame?.(seq, ctx);
        // Stamped with its seq, so a test can tell a buffer handed to another frame too early.
        const data = ctx.pool.acquire(FRAME_BYTES).fill(seq & 0xff);
        const frame: Frame = {
          seq,
          pts: seq * 40_000,
          time: ctx.clock.now(),
          width: 2,
          height: 2,
          format: 'yuv420p',
          data,
          sourceId: type,
          meta: { timings: {} },
        };
        observer.next(frame);
        schedule();
      };
      const schedule = () => {
        if (scheduled) return;
        scheduled = true;
        setImmediate(pump);
      };
      return {
        live: false,
        async open(): Promise<StreamInfo> {
          return { width: 2, height: 2, format: 'yuv420p', fps: 25, frames: config.frames };
        },
        start(o) {
          observer = o;
          schedule();
        },
        request(n) {
          demand += n;
          schedule();
        },
        stop() {
          stopped = true;
          schedule();
        },
        async close() {},
        dropped: () => 0,
      };
    },
  });
}

export interface FakeRun {
  readonly run: PipelineRun;
  readonly pool: FramePool;
  readonly result: RunResult | undefined;
  readonly error: unknown;
}

/** Assembles and runs a pipeline; a failed run is returned, not thrown. */
export async function runPipeline(
  yaml: string,
  registries: ComponentRegistries,
  log: Logger = silentLogger,
): Promise<FakeRun> {
  const config = parsePipeline(yaml, 'test.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log,
    baseDir: process.cwd(),
  });
  // The pool is the runner's own; tests read it to prove no buffer leaked.
  const pool = (run as unknown as { opts: { pool: FramePool } }).opts.pool;
  try {
    return { run, pool, result: await run.run(), error: undefined };
  } catch (error) {
    return { run, pool, result: undefined, error };
  }
}
