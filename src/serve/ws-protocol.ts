/**
 * WebSocket protocol v1 (docs/websocket.md, schemas/websocket/*.json): the
 * messages the server sends, built here and nowhere else, and the one message
 * a client may send. Every server message is a JSON text frame with `type`
 * and `v`; video travels in binary frames (see `video-frame.ts`).
 */
import type { CountGeometry } from '../core/counts.ts';
import type { HealthReport } from '../core/health.ts';
import type { MeterSnapshot } from '../core/meter.ts';

export const PROTOCOL_VERSION = 1;

/** What a client can subscribe to. */
export const TOPICS = ['detections', 'stats', 'health', 'video'] as const;
export type Topic = (typeof TOPICS)[number];
/** A new client receives these until it subscribes otherwise. */
export const DEFAULT_TOPICS: readonly Topic[] = ['detections', 'stats', 'health'];

export type VideoMode = 'h264' | 'jpeg' | 'none';

export interface HelloFacts {
  readonly pipeline: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number | undefined;
  /** Class names seen so far, by class id. */
  readonly labels: readonly (string | null)[];
  readonly video: VideoMode;
  /** The count stage's lines and zones, once a counted frame went by. */
  readonly geometry: CountGeometry | undefined;
}

export function helloMessage(facts: HelloFacts, subscriptions: readonly Topic[]): string {
  return JSON.stringify({
    type: 'hello',
    v: PROTOCOL_VERSION,
    pipeline: facts.pipeline,
    width: facts.width,
    height: facts.height,
    fps: facts.fps ?? null,
    labels: facts.labels,
    subscriptions,
    video: facts.video,
    ...(facts.geometry ? { geometry: facts.geometry } : {}),
  });
}

/**
 * One frame's detections: the JSON-lines record (`record`, already built by
 * the sink) behind `type` and `v`, plus the count geometry when the frame was
 * counted (so a client that joins late can draw lines and zones at once) and
 * `sentAt`, the wall-clock ms at which the sink took the frame.
 */
export function detectionsMessage(
  record: Record<string, unknown>,
  extra: { geometry?: CountGeometry; discontinuity?: boolean; sentAt: number },
): string {
  return JSON.stringify({
    type: 'detections',
    v: PROTOCOL_VERSION,
    ...record,
    ...(extra.discontinuity && record.discontinuity === undefined ? { discontinuity: true } : {}),
    ...(extra.geometry && record.counts !== undefined ? { geometry: extra.geometry } : {}),
    sentAt: extra.sentAt,
  });
}

export interface StatsComponent {
  name: string;
  kind: MeterSnapshot['kind'];
  in: number;
  out: number;
  dropped: number;
  fps: number;
  p50Ms: number;
  p95Ms: number;
  latencyP50Ms?: number;
  latencyP95Ms?: number;
  queueDepth?: number;
  events: Record<string, number>;
  health?: string;
}

/** The pipeline's meters, shaped once per second for every stats subscriber. */
export function statsComponents(
  meters: readonly MeterSnapshot[],
  health: readonly HealthReport[],
): StatsComponent[] {
  const stateOf = new Map(health.map((h) => [h.component, h.event.state]));
  return meters.map((m) => {
    const c: StatsComponent = {
      name: m.name,
      kind: m.kind,
      in: m.framesIn,
      out: m.framesOut,
      dropped: m.dropped,
      fps: round2(m.fps),
      p50Ms: m.processMs.p50,
      p95Ms: m.processMs.p95,
      events: m.events as Record<string, number>,
    };
    if (m.latencyMs) {
      c.latencyP50Ms = m.latencyMs.p50;
      c.latencyP95Ms = m.latencyMs.p95;
    }
    if (m.queueDepth !== undefined) c.queueDepth = m.queueDepth;
    const state = stateOf.get(m.name);
    if (state) c.health = state;
    return c;
  });
}

/**
 * The components part is serialized once per second for everyone; each
 * client's own figures are spliced in without serializing it again.
 */
export function statsMessagePrefix(components: readonly StatsComponent[], time: number): string {
  return `{"type":"stats","v":${PROTOCOL_VERSION},"time":${JSON.stringify(new Date(time).toISOString())},"components":${JSON.stringify(components)}`;
}

export function statsMessage(prefix: string, client: { dropped: number; queued: number }): string {
  return `${prefix},"dropped":${client.dropped},"queued":${client.queued}}`;
}

export function healthMessage(report: HealthReport): string {
  const { event } = report;
  return JSON.stringify({
    type: 'health',
    v: PROTOCOL_VERSION,
    component: report.component,
    state: event.state,
    ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
    ...(event.delayMs !== undefined ? { delayMs: Math.round(event.delayMs) } : {}),
    ...(event.detail !== undefined ? { detail: event.detail } : {}),
    time: new Date(report.time).toISOString(),
  });
}

export function subscribedMessage(topics: readonly Topic[]): string {
  return JSON.stringify({ type: 'subscribed', v: PROTOCOL_VERSION, topics });
}

export function errorMessage(message: string): string {
  return JSON.stringify({ type: 'error', v: PROTOCOL_VERSION, message });
}

/** What a client's text message asks for: new topics, or why it was refused. */
export type ClientRequest =
  | { readonly kind: 'subscribe'; readonly topics: readonly Topic[] }
  | { readonly kind: 'invalid'; readonly message: string };

/**
 * Parses one client text message. Nothing a client sends is trusted: every
 * shape other than a well-formed `subscribe` is an `invalid` with a message
 * for the `error` reply (never an exception).
 */
export function parseClientMessage(text: string): ClientRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid('malformed JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('a message must be a JSON object with a "type"');
  }
  const message = value as Record<string, unknown>;
  if (message.type !== 'subscribe') {
    const type = typeof message.type === 'string' ? `"${clip(message.type)}"` : 'missing';
    return invalid(`unknown message type ${type}; the only client message is "subscribe"`);
  }
  for (const key of Object.keys(message)) {
    if (key !== 'type' && key !== 'topics' && key !== 'v') {
      return invalid(`subscribe: unknown field "${clip(key)}"; it takes "topics"`);
    }
  }
  const topics = message.topics;
  if (!Array.isArray(topics))
    return invalid(`subscribe: "topics" must be a list of ${topicList()}`);
  const chosen: Topic[] = [];
  for (const topic of topics) {
    if (typeof topic !== 'string' || !(TOPICS as readonly string[]).includes(topic)) {
      const shown = typeof topic === 'string' ? `"${clip(topic)}"` : JSON.stringify(topic);
      return invalid(`subscribe: unknown topic ${clip(String(shown))}; topics are ${topicList()}`);
    }
    if (!chosen.includes(topic as Topic)) chosen.push(topic as Topic);
  }
  return { kind: 'subscribe', topics: chosen };
}

function invalid(message: string): ClientRequest {
  return { kind: 'invalid', message };
}

function topicList(): string {
  return TOPICS.join(', ');
}

/** Client text quoted back in an error stays short. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
