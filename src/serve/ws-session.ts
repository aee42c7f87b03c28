import type { WebSocket } from 'ws';
import { ConsumerQueue } from '../core/consumer-queue.ts';
import { DEFAULT_TOPICS, type Topic } from './ws-protocol.ts';

export interface SessionLimits {
  /** Client messages accepted per second; a client has no reason to send more than a few. */
  readonly maxMessagesPerSecond: number;
  /** Text messages (detections, stats, health) queued at most; drop-oldest beyond. */
  readonly queue: number;
  /** Video frames queued at most. */
  readonly videoQueue: number;
  /** Bytes the socket may hold unsent (`ws.bufferedAmount`) before sending pauses. */
  readonly highWaterBytes: number;
}

export interface VideoItem {
  readonly data: Buffer;
  /** An H.264 key frame, or any JPEG picture: a point a decoder can start from. */
  readonly key: boolean;
}

/**
 * One connected client: what it subscribed to, its own bounded queues and its
 * own drop counter. The sink offers every message to every session and
 * returns at once; each session sends at its socket's pace. A client that does
 * not read fills its socket, then its queues, which drop their oldest
 * messages: the pipeline and the other clients never wait for it.
 *
 * Memory per client stays below `queue` text messages, `videoQueue` video
 * frames and `highWaterBytes` (plus one message) inside the socket.
 */
export class ClientSession {
  readonly ws: WebSocket;
  readonly #limits: SessionLimits;
  readonly #text: ConsumerQueue<string>;
  readonly #video: VideoItem[] = [];
  #topics: ReadonlySet<Topic> = new Set(DEFAULT_TOPICS);
  /** H.264: after a gap (a new subscriber, dropped frames) only a key frame can restart decoding. */
  #needKey = true;
  #videoDropped = 0;
  /** Replies (errors) the client did not read in time, never queued. */
  #repliesDropped = 0;
  #sending = false;
  /** A pong came since the last ping. */
  alive = true;
  #windowStart = Number.NEGATIVE_INFINITY;
  #windowMessages = 0;

  constructor(ws: WebSocket, limits: SessionLimits) {
    this.ws = ws;
    this.#limits = limits;
    this.#text = new ConsumerQueue<string>({ capacity: limits.queue, release: () => {} });
  }

  get topics(): ReadonlySet<Topic> {
    return this.#topics;
  }

  /**
   * Counts one message from the client at `now` (ms); false once it sent more
   * than its limit within one second, so that a client flooding the server
   * with messages cannot take the pipeline's time.
   */
  allowMessage(now: number): boolean {
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#windowMessages = 0;
    }
    this.#windowMessages++;
    return this.#windowMessages <= this.#limits.maxMessagesPerSecond;
  }

  subscribe(topics: readonly Topic[]): void {
    const had = this.#topics.has('video');
    this.#topics = new Set(topics);
    if (had && !this.#topics.has('video')) this.#video.length = 0;
    if (!had) this.#needKey = true;
  }

  wants(topic: Topic): boolean {
    return this.#topics.has(topic);
  }

  /** Messages this client lost: queued ones dropped for newer, and replies it did not read. */
  get dropped(): number {
    return this.#text.dropped + this.#videoDropped + this.#repliesDropped;
  }

  /** Messages and frames waiting in this client's queues now. */
  get queued(): number {
    return this.#text.length + this.#video.length;
  }

  get textQueued(): number {
    return this.#text.length;
  }

  get videoQueued(): number {
    return this.#video.length;
  }

  /**
   * Sent before anything is queued (hello) or instead of queueing (replies to
   * the client's own messages): a reply to a client that does not read is
   * dropped rather than piled up, so its own messages cannot grow memory.
   */
  sendNow(message: string): void {
    if (!this.#open()) return;
    if (this.ws.bufferedAmount >= this.#limits.highWaterBytes) {
      this.#repliesDropped++;
      return;
    }
    this.ws.send(message, this.#sent);
  }

  /** Queues a text message of `topic` if subscribed. */
  offer(topic: Topic, message: string): void {
    if (!this.#topics.has(topic) || this.#text.closed) return;
    this.#text.offer(message);
    this.#pump();
  }

  /** Whether a video frame offered now would be queued without dropping one. */
  get videoRoom(): boolean {
    return this.#topics.has('video') && this.#video.length < this.#limits.videoQueue;
  }

  /**
   * Queues a video frame. H.264 frames depend on the ones before: when the
   * queue is full, what it holds is dropped together and the client waits for
   * the next key frame, so it never receives a picture it cannot decode.
   */
  offerVideo(item: VideoItem): void {
    if (!this.#topics.has('video') || this.#text.closed) return;
    if (this.#needKey && !item.key) return;
    if (this.#video.length >= this.#limits.videoQueue) {
      this.#videoDropped += this.#video.length;
      this.#video.length = 0;
      if (!item.key) {
        this.#needKey = true;
        this.#videoDropped++;
        return;
      }
    }
    this.#needKey = false;
    this.#video.push(item);
    this.#pump();
  }

  /** A JPEG picture stands alone: a full queue drops its oldest. */
  offerPicture(data: Buffer): void {
    if (!this.#topics.has('video') || this.#text.closed) return;
    if (this.#video.length >= this.#limits.videoQueue) {
      this.#video.shift();
      this.#videoDropped++;
    }
    this.#video.push({ data, key: true });
    this.#pump();
  }

  /** The client is gone: drops what is queued. Idempotent. */
  close(): void {
    this.#text.close();
    this.#video.length = 0;
  }

  #open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /**
   * Sends while the socket takes data; each send's callback (the bytes left
   * for the kernel) resumes it. Text first: detections are small and what
   * every dashboard needs; video fills the rest.
   */
  #pump(): void {
    if (this.#sending) return;
    this.#sending = true;
    try {
      while (this.#open() && this.ws.bufferedAmount < this.#limits.highWaterBytes) {
        const next = this.#text.take() ?? this.#video.shift()?.data;
        if (next === undefined) return;
        this.ws.send(next, this.#sent);
      }
    } finally {
      this.#sending = false;
    }
  }

  readonly #sent = (err?: Error) => {
    if (err) return; // the socket failed; its close event ends the session
    this.#pump();
  };
}
