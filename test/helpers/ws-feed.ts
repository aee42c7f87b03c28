// A real pipeline with a real websocket sink, and real `ws` clients that
// check every message they receive against the shipped JSON Schemas.
import { readFileSync } from 'node:fs';
import { concatMap } from 'rxjs';
import { WebSocket } from 'ws';
import { parsePipeline } from '../../src/config/load.ts';
import { assemblePipeline } from '../../src/core/assemble.ts';
import { systemClock } from '../../src/core/clock.ts';
import {
  type ComponentRegistries,
  defineStage,
  type SinkDefinition,
  type SourceDefinition,
  type StageDefinition,
} from '../../src/core/component.ts';
import { Detections } from '../../src/core/detections.ts';
import type { Frame } from '../../src/core/frame.ts';
import type { Logger } from '../../src/core/log.ts';
import type { PipelineRun, RunResult } from '../../src/core/runner.ts';
import { t } from '../../src/core/schema.ts';
import { type WebSocketFeed, websocketSink } from '../../src/sinks/websocket.ts';
import { schemaErrors } from '../config-mini-validator.ts';
import { withTestComponents } from './registries.ts';

const SCHEMA_DIR = new URL('../../schemas/websocket/', import.meta.url);
const schemas = new Map<string, Record<string, unknown>>();
/** The shipped schema of a message type (`hello`, `detections`…). */
export function schemaOf(type: string): Record<string, unknown> {
  let s = schemas.get(type);
  if (!s) {
    s = JSON.parse(readFileSync(new URL(`${type}.json`, SCHEMA_DIR), 'utf8')) as Record<
      string,
      unknown
    >;
    schemas.set(type, s);
  }
  return s;
}

/** Problems of one server message against its schema; an unknown type is one. */
export function messageProblems(message: Record<string, unknown>): string[] {
  const type = message.type;
  const known = ['hello', 'detections', 'stats', 'health', 'error', 'subscribed'];
  if (typeof type !== 'string' || !known.includes(type)) return [`unknown type ${String(type)}`];
  return schemaErrors(schemaOf(type), message).map((e) => `${type}: ${e}`);
}

/** Everything one client received, in order. */
export class FeedClient {
  readonly ws: WebSocket;
  readonly messages: Record<string, unknown>[] = [];
  readonly binary: Buffer[] = [];
  /** Schema violations, with the offending message. */
  readonly problems: string[] = [];
  /** Text and binary in arrival order: `t` or `b`. */
  readonly order: string[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Set when the server refused the upgrade. */
  refusedWith: number | undefined;
  #waiters: (() => void)[] = [];

  constructor(url: string, opts: { headers?: Record<string, string>; ca?: string } = {}) {
    this.ws = new WebSocket(url, {
      headers: opts.headers ?? {},
      ...(opts.ca ? { ca: readFileSync(opts.ca) } : {}),
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.ws.on('unexpected-response', (_req, res) => {
      this.refusedWith = res.statusCode;
      this.ws.emit('error', new Error(`HTTP ${res.statusCode}`));
      res.resume();
    });
    this.ws.on('error', () => {});
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.binary.push(data as Buffer);
        this.order.push('b');
      } else {
        const m = JSON.parse(data.toString()) as Record<string, unknown>;
        for (const p of messageProblems(m))
          this.problems.push(`${p} in ${data.toString().slice(0, 300)}`);
        this.messages.push(m);
        this.order.push('t');
      }
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
    });
  }

  of(type: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.type === type);
  }

  send(value: unknown): void {
    this.ws.send(
      typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value),
    );
  }

  /** Resolves when `done()` holds after some message (or already does). */
  async until(done: () => boolean, what: string, limitMs = 60_000): Promise<void> {
    const started = performance.now();
    while (!done()) {
      if (performance.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** Stops reading its socket: the kernel buffers fill, then the server's queue for it. */
  stall(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resume(): void {
    (this.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  close(): void {
    this.ws.close();
  }
}

/** A gate stage: frames wait at it until `open()`, so clients see the stream from frame 0. */
export function gate() {
  let openGate: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  const def = defineStage({
    type: 'gate',
    doc: 'test: holds frames until the test opens it',
    options: {},
    create: () =>
      concatMap(async (frame: Frame) => {
        await opened;
        return frame;
      }),
  });
  return { def, open: () => openGate() };
}

/**
 * A stand-in detector with known answers: frame `seq` has one "person" box
 * moving right by 4 px a frame and, on even frames, a "car" standing still.
 */
export const fakeDetect = defineStage({
  type: 'fake-detect',
  doc: 'test: deterministic detections',
  options: {
    names: t.list(t.string({ doc: 'a label' }), {
      doc: 'labels',
      default: ['person', 'bicycle', 'car'],
    }),
  },
  create: (config) =>
    concatMap(async (frame: Frame) => {
      const list = [
        {
          box: [10 + 4 * frame.seq, 20, 40 + 4 * frame.seq, 90] as [number, number, number, number],
          score: 0.9,
          classId: 0,
          label: 'person',
        },
        ...(frame.seq % 2 === 0
          ? [
              {
                box: [100, 50, 150, 80] as [number, number, number, number],
                score: 0.75,
                classId: 2,
                label: 'car',
              },
            ]
          : []),
      ];
      frame.meta.detections = Detections.fromList(list, config.names);
      return frame;
    }),
});

/** A stage that calls `each(frame)` on every frame (to sample the feed, or stop the run). */
export function probe(each: (frame: Frame) => void) {
  return defineStage({
    type: 'probe',
    doc: 'test: looks at every frame',
    options: {},
    create: () =>
      concatMap(async (frame: Frame) => {
        each(frame);
        return frame;
      }),
  });
}

export interface RunningFeed {
  readonly run: PipelineRun;
  /** The (first) websocket sink of the pipeline, opened. */
  readonly feed: WebSocketFeed;
  readonly feeds: WebSocketFeed[];
  readonly url: string;
  /** Resolves with the result or the error. */
  readonly done: Promise<RunResult | Error>;
  readonly log: string[];
}

/** Registries with the built-ins, the extras, and the websocket sink wrapped to hand out its instances. */
export function registriesWith(
  extra: { sources?: SourceDefinition[]; stages?: StageDefinition[] },
  feeds: WebSocketFeed[],
): ComponentRegistries {
  const captured = {
    ...websocketSink,
    create: async (config, ctx) => {
      const feed = (await websocketSink.create(config as never, ctx)) as WebSocketFeed;
      feeds.push(feed);
      return feed;
    },
  } as SinkDefinition;
  return withTestComponents({ ...extra, sinks: [captured] });
}

/** Validates, assembles and starts a pipeline; resolves once its websocket sinks listen. */
export async function startFeed(
  yaml: string,
  extra: { sources?: SourceDefinition[]; stages?: StageDefinition[] } = {},
): Promise<RunningFeed> {
  const feeds: WebSocketFeed[] = [];
  const registries = registriesWith(extra, feeds);
  const log: string[] = [];
  const logger: Logger = { info: (m) => log.push(m), warn: (m) => log.push(`warning: ${m}`) };
  const config = parsePipeline(yaml, 'test.yaml', { registries });
  const { run } = await assemblePipeline(config, {
    registries,
    clock: systemClock,
    log: logger,
    baseDir: process.cwd(),
  });
  const done = run.run().catch((err: unknown) => err as Error);
  while (feeds.length === 0 || feeds.some((f) => f.url === undefined)) {
    const early = await Promise.race([
      done,
      new Promise((r) => setTimeout(() => r(undefined), 20)),
    ]);
    if (early !== undefined)
      throw early instanceof Error ? early : new Error('the run ended before the feed opened');
  }
  return { run, feed: feeds[0]!, feeds, url: feeds[0]!.url!, done, log };
}
