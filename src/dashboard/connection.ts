import { parseMessage, type ServerMessage } from './protocol.ts';

export interface ConnectionEvents {
  onOpen(send: (msg: unknown) => void): void;
  onMessage(msg: ServerMessage): void;
  onBinary(data: ArrayBuffer): void;
  onClose(retryInMs: number): void;
}

/** Backoff between attempts: doubling from 250 ms up to 5 s, with full jitter. */
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

/**
 * One WebSocket that comes back by itself: when the pipeline stops or
 * restarts, it retries with backoff until a server answers again. The delay
 * starts over once a connection opened.
 */
export class Connection {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly events: ConnectionEvents,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.socket?.close();
  }

  private connect(): void {
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.socket = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.events.onOpen((msg) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
      });
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data === 'string') {
        const msg = parseMessage(e.data);
        if (msg) this.events.onMessage(msg);
      } else if (e.data instanceof ArrayBuffer) {
        this.events.onBinary(e.data);
      }
    };
    // An error is always followed by close, which is where we retry.
    ws.onclose = () => {
      if (this.socket !== ws || this.stopped) return;
      const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt);
      const delay = Math.round(FIRST_DELAY_MS / 2 + Math.random() * (ceiling - FIRST_DELAY_MS / 2));
      this.attempt++;
      this.events.onClose(delay);
      this.timer = window.setTimeout(() => this.connect(), delay);
    };
  }
}
