import type { IncomingMessage } from 'node:http';
import { interval, type Subscription } from 'rxjs';
import { type WebSocket, WebSocketServer } from 'ws';
import { type ComponentContext, defineSink, type Sink, type SinkHost } from '../core/component.ts';
import type { CountGeometry } from '../core/counts.ts';
import { encodedOf } from '../core/encoded.ts';
import { FramewireError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { type InferFields, optional, t } from '../core/schema.ts';
import { mountDashboard } from '../serve/dashboard-files.ts';
import { type HttpEndpoint, listenHttp, pathOf } from '../serve/http-endpoint.ts';
import { JpegEncoder } from '../serve/jpeg-encoder.ts';
import { mountOperatorEndpoints } from '../serve/operator-endpoints.ts';
import { contributeGauges } from '../serve/sink-gauges.ts';
import { encodeVideoFrame } from '../serve/video-frame.ts';
import { admit, isLoopback, refusal } from '../serve/ws-admission.ts';
import {
  detectionsMessage,
  errorMessage,
  healthMessage,
  helloMessage,
  parseClientMessage,
  statsComponents,
  statsMessage,
  statsMessagePrefix,
  subscribedMessage,
  type VideoMode,
} from '../serve/ws-protocol.ts';
import { ClientSession } from '../serve/ws-session.ts';
import { frameRecord } from './frame-record.ts';

/** A client message larger than this closes its connection with 1009 (ws' `maxPayload`). */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;
/** A client sending more than this many messages within a second is closed with 1008. */
export const MAX_CLIENT_MESSAGES_PER_SECOND = 20;
/** Unsent bytes a client's socket may hold before its messages wait in its queue. */
const HIGH_WATER_BYTES = 256 * 1024;
/** Video frames a client's queue holds at most (they are large; a live view wants the newest). */
const VIDEO_QUEUE = 8;
/** Refusals logged one by one before they are only counted (a flood must not flood the log). */
const REFUSALS_LOGGED = 20;

const options = {
  port: t.integer({
    doc: 'TCP port of the HTTP server that serves the feed (0: any free port, printed at start)',
    default: 8090,
    min: 0,
    max: 65535,
  }),
  host: t.string({
    doc: 'Address to listen on; anything but a loopback address (0.0.0.0, a LAN address) requires a token',
    default: '127.0.0.1',
    minLength: 1,
  }),
  path: t.string({ doc: 'Path of the WebSocket feed', default: '/ws', minLength: 1 }),
  token: optional(
    t.string({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shows users the ${…} syntax
      doc: 'Secret a client must present (Authorization: Bearer TOKEN, or ?token=TOKEN); write ${FEED_TOKEN} to keep it out of the file',
      minLength: 1,
    }),
  ),
  maxClients: t.integer({
    doc: 'Clients connected at once; one more is refused with HTTP 503',
    default: 64,
    min: 1,
    max: 10_000,
  }),
  origins: optional(
    t.list(t.string({ doc: 'An origin, e.g. https://dash.example.com', minLength: 1 }), {
      doc: 'Allowed Origin headers of browser pages (absent: any); another origin is refused with HTTP 403',
      minItems: 1,
    }),
  ),
  video: t.enum(['none', 'h264', 'jpeg'], {
    doc: 'Video for clients subscribed to "video": h264 access units (an encode stage is added if the pipeline has none), jpeg pictures, or none',
    default: 'none',
  }),
  tls: optional(
    t.object(
      {
        cert: t.string({ doc: 'PEM certificate file', minLength: 1 }),
        key: t.string({ doc: 'PEM private key file', minLength: 1 }),
      },
      {
        doc: 'Serve https and wss with this certificate (browsers need a secure context for WebCodecs)',
      },
    ),
  ),
  heartbeatSeconds: t.number({
    doc: 'Seconds between pings; a client that has not answered the previous one is dropped',
    default: 15,
    min: 1,
    max: 3600,
  }),
  segmentationRle: t.boolean({
    doc: 'After a segment stage: each class in "segmentation" also carries its pixels as COCO RLE ("mask"); larger messages',
    default: false,
  }),
  clientQueue: t.integer({
    doc: "Messages each client's own queue holds while its connection is slow; beyond that its oldest are dropped and counted",
    default: 32,
    min: 1,
    max: 10_000,
  }),
};

type FeedConfig = InferFields<typeof options>;

/**
 * The WebSocket feed (protocol v1, docs/websocket.md): detections per frame,
 * stats once a second, health events and optionally video, to any number of
 * clients, each behind its own bounded queue. It is lossy: `write()` hands
 * the frame to every client's queue and returns, so no client ever slows the
 * pipeline or the other clients.
 */
export const websocketSink = defineSink({
  type: 'websocket',
  doc: 'WebSocket feed for dashboards: detections, stats, health and video (protocol v1)',
  lossless: false,
  options,
  listenPort: (config) => (config.port === 0 ? undefined : config.port),
  check(config) {
    const problems: { key?: string; message: string }[] = [];
    if (config.token === undefined && !isLoopback(config.host)) {
      problems.push({
        key: 'host',
        message: `host ${config.host} accepts connections from other machines, so a token is required; set token: \${FEED_TOKEN} (or listen on 127.0.0.1)`,
      });
    }
    if (!config.path.startsWith('/')) {
      problems.push({ key: 'path', message: `path must start with "/", got "${config.path}"` });
    }
    return problems;
  },
  create: (config, ctx): Sink => new WebSocketFeed(config, ctx),
});

/** What a test or `/metrics` can read of one feed. */
export interface FeedClientStats {
  readonly dropped: number;
  readonly queued: number;
  readonly textQueued: number;
  readonly videoQueued: number;
  readonly bufferedAmount: number;
}

export class WebSocketFeed implements Sink {
  readonly #config: FeedConfig;
  readonly #ctx: ComponentContext;
  readonly #sessions = new Set<ClientSession>();
  readonly #subscriptions: Subscription[] = [];
  readonly #unsubscribe: (() => void)[] = [];
  readonly #jpeg = new JpegEncoder();
  #endpoint: HttpEndpoint | undefined;
  #wss: WebSocketServer | undefined;
  #host: SinkHost | undefined;
  #upgrading = 0;
  #refusals = 0;
  /** Drops of clients that have left, so the total only grows. */
  #droppedByGone = 0;
  #labels: readonly string[] = [];
  #geometry: CountGeometry | undefined;
  #encodingJpeg = false;
  #warnedUnencoded = false;
  #closed = false;

  constructor(config: FeedConfig, ctx: ComponentContext) {
    this.#config = config;
    this.#ctx = ctx;
  }

  /** `ws://127.0.0.1:8090/ws` once open. */
  get url(): string | undefined {
    if (!this.#endpoint) return undefined;
    return `${this.#endpoint.url.replace(/^http/, 'ws')}${this.#config.path}`;
  }

  get endpoint(): HttpEndpoint | undefined {
    return this.#endpoint;
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.#sessions.size;
  }

  /** Messages dropped for slow clients since the start, those of clients gone included. */
  get droppedTotal(): number {
    let n = this.#droppedByGone;
    for (const s of this.#sessions) n += s.dropped;
    return n;
  }

  clientStats(): FeedClientStats[] {
    return [...this.#sessions].map((s) => ({
      dropped: s.dropped,
      queued: s.queued,
      textQueued: s.textQueued,
      videoQueued: s.videoQueued,
      bufferedAmount: s.ws.bufferedAmount,
    }));
  }

  async open(host: SinkHost): Promise<void> {
    this.#host = host;
    const { config, ctx } = { config: this.#config, ctx: this.#ctx };
    this.#endpoint = await listenHttp({
      port: config.port,
      host: config.host,
      label: ctx.name,
      ...(config.tls ? { tls: config.tls } : {}),
    });
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_CLIENT_MESSAGE_BYTES,
      perMessageDeflate: false,
    });
    this.#endpoint.upgrade(config.path, (req, socket, head) => {
      // A peer that resets the connection mid-handshake must not become an uncaught error.
      socket.on('error', () => {});
      const verdict = admit(
        req,
        {
          ...(config.token !== undefined ? { token: config.token } : {}),
          ...(config.origins ? { origins: config.origins } : {}),
          maxClients: config.maxClients,
        },
        this.#sessions.size + this.#upgrading,
      );
      if (!verdict.ok || this.#closed) {
        const status = verdict.ok ? 503 : verdict.status;
        this.#logRefusal(req, verdict.ok ? 'the pipeline is ending' : verdict.reason, status);
        socket.end(refusal(status));
        return;
      }
      // Counted against maxClients until it either connects or fails half-way
      // (a bad handshake never calls back, but its socket closes).
      this.#upgrading++;
      let pending = true;
      const settle = () => {
        if (pending) this.#upgrading--;
        pending = false;
      };
      socket.once('close', settle);
      this.#wss!.handleUpgrade(req, socket, head, (ws) => {
        settle();
        this.#connected(ws);
      });
    });
    // The same server answers the operators (/metrics, /healthz, /readyz) and serves the dashboard at /.
    mountOperatorEndpoints(this.#endpoint, host.metrics);
    mountDashboard(this.#endpoint, { wsPath: config.path });
    this.#unsubscribe.push(
      contributeGauges(host.metrics, ctx.name, [
        {
          name: 'framewire_ws_clients',
          type: 'gauge',
          help: 'WebSocket clients connected now',
          read: () => this.#sessions.size,
        },
        {
          name: 'framewire_ws_dropped_total',
          type: 'counter',
          help: 'Messages and video frames dropped for WebSocket clients that read too slowly',
          read: () => this.droppedTotal,
        },
        {
          name: 'framewire_ws_refused_total',
          type: 'counter',
          help: 'WebSocket connections refused (token, origin, maxClients)',
          read: () => this.#refusals,
        },
      ]),
    );
    this.#unsubscribe.push(
      host.metrics.onHealth((report) => {
        const message = healthMessage(report);
        for (const s of this.#sessions) s.offer('health', message);
      }),
    );
    const scheduler = ctx.clock.scheduler;
    this.#subscriptions.push(interval(1000, scheduler).subscribe(() => this.#sendStats()));
    this.#subscriptions.push(
      interval(config.heartbeatSeconds * 1000, scheduler).subscribe(() => this.#heartbeat()),
    );
    ctx.log.info(`${ctx.name}: WebSocket feed at ${this.url}`);
  }

  write(frame: Frame): void {
    if (this.#closed) return;
    const detections = frame.meta.detections;
    if (detections && detections.names.length > 0) this.#labels = detections.names;
    const counts = frame.meta.counts;
    if (counts) this.#geometry = counts.geometry;
    if (this.#sessions.size === 0) return;

    let wantDetections = false;
    let wantVideo = false;
    for (const s of this.#sessions) {
      wantDetections ||= s.wants('detections');
      wantVideo ||= s.wants('video');
    }
    if (wantDetections) {
      const message = detectionsMessage(
        frameRecord(frame, { segmentationRle: this.#config.segmentationRle }),
        {
          ...(counts ? { geometry: counts.geometry } : {}),
          discontinuity: frame.meta.discontinuity === true,
          sentAt: this.#ctx.clock.wallNow(),
        },
      );
      for (const s of this.#sessions) s.offer('detections', message);
    }
    if (wantVideo && this.#config.video === 'h264') this.#sendH264(frame);
    if (wantVideo && this.#config.video === 'jpeg') this.#sendJpeg(frame);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#subscriptions) s.unsubscribe();
    for (const u of this.#unsubscribe) u();
    const gone = [...this.#sessions].map(
      (s) =>
        new Promise<void>((resolve) => {
          s.ws.once('close', () => resolve());
          s.ws.close(1001, 'the pipeline ended');
        }),
    );
    // A client that does not answer the close handshake is cut off after a second.
    await Promise.race([Promise.all(gone), this.#after(1000)]);
    for (const s of this.#sessions) s.ws.terminate();
    this.#wss?.close();
    await this.#endpoint?.close();
  }

  #connected(ws: WebSocket): void {
    const session = new ClientSession(ws, {
      maxMessagesPerSecond: MAX_CLIENT_MESSAGES_PER_SECOND,
      queue: this.#config.clientQueue,
      videoQueue: VIDEO_QUEUE,
      highWaterBytes: HIGH_WATER_BYTES,
    });
    if (this.#closed) {
      ws.close(1001, 'the pipeline ended');
      return;
    }
    this.#sessions.add(session);
    const stream = this.#ctx.stream;
    session.sendNow(
      helloMessage(
        {
          pipeline: this.#ctx.pipeline ?? '',
          width: stream?.width ?? 0,
          height: stream?.height ?? 0,
          fps: stream?.fps,
          labels: this.#labels,
          video: this.#config.video as VideoMode,
          geometry: this.#geometry,
        },
        [...session.topics],
      ),
    );
    for (const report of this.#host?.metrics.health() ?? []) {
      session.offer('health', healthMessage(report));
    }
    ws.on('message', (data, isBinary) => {
      if (!session.allowMessage(this.#ctx.clock.now())) {
        ws.close(1008, `more than ${MAX_CLIENT_MESSAGES_PER_SECOND} messages a second`);
        return;
      }
      if (isBinary) {
        session.sendNow(
          errorMessage('binary messages are not part of the protocol; send JSON text'),
        );
        return;
      }
      const request = parseClientMessage(data.toString());
      if (request.kind === 'invalid') {
        session.sendNow(errorMessage(request.message));
        return;
      }
      const topics =
        this.#config.video === 'none'
          ? request.topics.filter((t) => t !== 'video')
          : request.topics;
      session.subscribe(topics);
      session.sendNow(subscribedMessage(topics));
      if (topics.length < request.topics.length) {
        session.sendNow(errorMessage('this feed sends no video (the sink has video: none)'));
      }
    });
    ws.on('pong', () => {
      session.alive = true;
    });
    // A socket error is followed by close; nothing a client does reaches the pipeline.
    ws.on('error', () => {});
    ws.on('close', () => {
      if (!this.#sessions.delete(session)) return;
      this.#droppedByGone += session.dropped;
      session.close();
    });
  }

  #sendStats(): void {
    const host = this.#host;
    if (!host || this.#sessions.size === 0) return;
    let wanted = false;
    for (const s of this.#sessions) wanted ||= s.wants('stats');
    if (!wanted) return;
    const prefix = statsMessagePrefix(
      statsComponents(host.metrics.snapshot(), host.metrics.health()),
      this.#ctx.clock.wallNow(),
    );
    for (const s of this.#sessions) {
      if (s.wants('stats'))
        s.offer('stats', statsMessage(prefix, { dropped: s.dropped, queued: s.queued }));
    }
  }

  /** Drops clients that did not answer the last ping: a dead peer never says goodbye. */
  #heartbeat(): void {
    for (const s of this.#sessions) {
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  #sendH264(frame: Frame): void {
    const encoded = encodedOf(frame);
    if (!encoded) {
      if (!this.#warnedUnencoded) {
        this.#warnedUnencoded = true;
        this.#ctx.log.warn(
          `${this.#ctx.name}: frame ${frame.seq} has no H.264 access unit; video subscribers get only encoded frames`,
        );
      }
      return;
    }
    const { packet } = encoded;
    let data: Buffer | undefined;
    for (const s of this.#sessions) {
      if (!s.wants('video')) continue;
      data ??= encodeVideoFrame(
        {
          kind: 'h264',
          key: packet.key,
          discontinuity: frame.meta.discontinuity === true,
          width: encoded.decoderConfig?.codedWidth ?? frame.width,
          height: encoded.decoderConfig?.codedHeight ?? frame.height,
          seq: frame.seq,
          pts: packet.pts,
          codec: encoded.decoderConfig?.codec ?? packet.codec,
        },
        packet.data,
      );
      s.offerVideo({ data, key: packet.key });
    }
  }

  /**
   * One JPEG at a time, and only when some video subscriber has room for it:
   * nobody watching costs nothing, and the encoder never runs faster than the
   * fastest viewer takes pictures (a slower one drops its oldest).
   */
  #sendJpeg(frame: Frame): void {
    if (this.#encodingJpeg) return;
    let room = false;
    for (const s of this.#sessions) room ||= s.videoRoom && s.ws.bufferedAmount < HIGH_WATER_BYTES;
    if (!room || !this.#host) return;
    this.#encodingJpeg = true;
    const release = this.#host.retain(frame);
    const { seq, pts, width, height } = frame;
    const discontinuity = frame.meta.discontinuity === true;
    this.#jpeg
      .encode(frame)
      .then((jpeg) => {
        release();
        const data = encodeVideoFrame(
          { kind: 'jpeg', key: true, discontinuity, width, height, seq, pts, codec: '' },
          jpeg,
        );
        for (const s of this.#sessions) s.offerPicture(data);
      })
      .catch((err: unknown) => {
        release();
        this.#ctx.report(
          new FramewireError('SINK_WRITE', `JPEG encoding of frame ${seq} failed`, {
            component: this.#ctx.name,
            cause: err,
            fatal: false,
          }),
        );
      })
      .finally(() => {
        this.#encodingJpeg = false;
      });
  }

  /** Never the remote address's port or the query string: `?token=` would be logged. */
  #logRefusal(req: IncomingMessage, reason: string, status: number): void {
    this.#refusals++;
    if (this.#refusals > REFUSALS_LOGGED && this.#refusals % 100 !== 0) return;
    const from = req.socket.remoteAddress ?? 'unknown address';
    const more = this.#refusals > REFUSALS_LOGGED ? ` (${this.#refusals} refused so far)` : '';
    this.#ctx.log.warn(
      `${this.#ctx.name}: refused a connection from ${from} to ${pathOf(req) ?? '?'}: ${reason} (HTTP ${status})${more}`,
    );
  }

  #after(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#ctx.clock.scheduler.schedule(() => resolve(), ms);
    });
  }
}
