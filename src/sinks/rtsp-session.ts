import type { Subscription } from 'rxjs';
import { Backoff, type BackoffConfig } from '../core/backoff.ts';
import type { ComponentContext } from '../core/component.ts';
import type { EncodedVideo } from '../core/encoded.ts';
import { FramewireError, redactUrl } from '../core/errors.ts';
import type { Publisher, RtspPublisherOptions } from './rtsp-publisher.ts';

export interface RtspSessionOptions {
  /** The URL as given (credentials go to ffmpeg only). */
  readonly url: string;
  readonly transport: RtspPublisherOptions['transport'];
  readonly backoff: BackoffConfig;
  /** A connection the server has not accepted after this long is a failed attempt. */
  readonly connectTimeoutMs: number;
  /** How long a publisher may take to flush and hang up at the end before it is killed. */
  readonly closeGraceMs: number;
  /** µs of stream after which a connection is renewed at a key frame (FLV's 32-bit ms clock). */
  readonly renewAfterUs: number;
  /** Starts one publishing connection (the real one spawns ffmpeg; tests may fake it). */
  readonly connect: (opts: RtspPublisherOptions) => Publisher;
  readonly random?: () => number;
}

/**
 * The rtsp sink's connection over a whole run: at most one publisher at a
 * time, restarted with backoff when the server goes away, and never a wait
 * for the pipeline. What arrives while there is no connection is discarded
 * and counted (NOT_CONNECTED); a new connection starts only at a key frame,
 * which carries its decoder configuration (SPS/PPS), and delta frames before
 * it are discarded and counted (BEFORE_KEY_FRAME).
 *
 * The first connection is retried like any later one: a re-streamer that
 * starts before its server waits for it. With `maxAttempts`, that many
 * failures in a row end the run (health `failed`, a fatal SINK_OPEN error).
 *
 * Health: `connecting` when a publisher starts, `connected` when the server
 * accepted the stream, `reconnecting` (attempt, delay, why) before each wait.
 * Counts: CONNECTION_LOST for each accepted connection that ended, RECONNECT
 * for each accepted connection after the first.
 */
export class RtspSession {
  readonly #ctx: ComponentContext;
  readonly #opts: RtspSessionOptions;
  readonly #backoff: Backoff;
  readonly #display: string;
  #publisher: Publisher | undefined;
  /** The backoff wait before the next attempt, while it runs. */
  #retry: Subscription | undefined;
  #connectTimer: Subscription | undefined;
  /** pts of the current connection's first unit. */
  #firstPts = 0;
  #everConnected = false;
  #failed = false;
  #closed = false;

  constructor(ctx: ComponentContext, opts: RtspSessionOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#backoff = new Backoff(opts.backoff, opts.random);
    this.#display = redactUrl(opts.url);
  }

  /** Publishes one access unit if a connection can take it; resolves when the pipe took it. */
  async write(encoded: EncodedVideo): Promise<void> {
    if (this.#closed || this.#failed) return;
    if (this.#retry) {
      this.#ctx.count('NOT_CONNECTED');
      return;
    }
    const { packet, decoderConfig } = encoded;
    const publisher = this.#publisher;
    if (publisher && packet.key && decoderConfig) {
      // A new picture size or profile: RTSP announces one format per session.
      // And FLV counts a connection's time in 32-bit milliseconds, so a
      // connection is renewed (at a key frame) well before they run out.
      const why = !sameConfig(decoderConfig, publisher)
        ? `the stream changed to ${decoderConfig.codedWidth}x${decoderConfig.codedHeight}`
        : packet.pts - this.#firstPts >= this.#opts.renewAfterUs
          ? 'the connection is renewed before its timestamps run out'
          : undefined;
      if (why) {
        this.#ctx.log.info(`${this.#ctx.name}: ${why}; publishing anew`);
        this.#publisher = undefined;
        this.#connectTimer?.unsubscribe();
        await publisher.end(this.#opts.closeGraceMs);
      }
    }
    if (!this.#publisher) {
      if (!packet.key || !decoderConfig) {
        this.#ctx.count('BEFORE_KEY_FRAME');
        return;
      }
      this.#start(decoderConfig);
      this.#firstPts = packet.pts;
    }
    await this.#send(encoded);
  }

  /**
   * Writes to the current publisher. A write that does not complete within
   * the timeout (a server that stopped reading: ffmpeg blocks, its pipe
   * fills) drops the connection, so that no write, and no end of the run
   * waiting for the last one, can hang on a server.
   */
  async #send(encoded: EncodedVideo): Promise<void> {
    const publisher = this.#publisher;
    if (!publisher) return;
    const ms = this.#opts.connectTimeoutMs;
    const timer = this.#ctx.clock.scheduler.schedule(() => {
      void publisher.kill(`the server took no data for ${ms / 1000} s`);
    }, ms);
    try {
      await publisher.write(encoded);
    } finally {
      timer.unsubscribe();
    }
  }

  /** Ends the connection (flushed, TEARDOWN) and any wait. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#retry?.unsubscribe();
    this.#connectTimer?.unsubscribe();
    const publisher = this.#publisher;
    this.#publisher = undefined;
    await publisher?.end(this.#opts.closeGraceMs);
  }

  #start(config: NonNullable<EncodedVideo['decoderConfig']>): void {
    const ctx = this.#ctx;
    ctx.health({ state: 'connecting', detail: this.#display });
    const publisher = this.#opts.connect({
      url: this.#opts.url,
      transport: this.#opts.transport,
      config,
      component: ctx.name,
      scheduler: ctx.clock.scheduler,
    });
    this.#publisher = publisher;
    const seconds = this.#opts.connectTimeoutMs / 1000;
    this.#connectTimer = ctx.clock.scheduler.schedule(() => {
      if (!publisher.isConnected) void publisher.kill(`no answer within ${seconds} s`);
    }, this.#opts.connectTimeoutMs);
    void publisher.connected.then(() => {
      this.#connectTimer?.unsubscribe();
      if (this.#publisher !== publisher || this.#closed) return;
      ctx.health({ state: 'connected', detail: this.#display });
      if (this.#everConnected) ctx.count('RECONNECT');
      this.#everConnected = true;
      this.#backoff.reset();
    });
    void publisher.ended.then((why) => this.#onEnded(publisher, why));
  }

  #onEnded(publisher: Publisher, why: string | undefined): void {
    // A publisher we replaced or closed on purpose is not a lost connection.
    if (this.#publisher !== publisher || this.#closed) return;
    this.#publisher = undefined;
    this.#connectTimer?.unsubscribe();
    const reason = why ?? 'ffmpeg ended';
    if (publisher.isConnected) this.#ctx.count('CONNECTION_LOST');
    if (this.#willExhaust()) {
      this.#fail(reason);
      return;
    }
    const { attempt, delayMs } = this.#backoff.next();
    this.#ctx.health({
      state: 'reconnecting',
      attempt,
      delayMs,
      detail: `${this.#display}: ${reason}`,
    });
    this.#retry = this.#ctx.clock.scheduler.schedule(() => {
      // The next key frame starts the next attempt.
      this.#retry = undefined;
    }, delayMs);
  }

  /** The failure just seen is the last one `maxAttempts` allows. */
  #willExhaust(): boolean {
    const max = this.#opts.backoff.maxAttempts;
    return max !== undefined && this.#backoff.attempt + 1 >= max;
  }

  #fail(reason: string): void {
    this.#failed = true;
    const attempts = this.#backoff.attempt + 1;
    this.#ctx.health({ state: 'failed', attempt: attempts, detail: `${this.#display}: ${reason}` });
    this.#ctx.report(
      new FramewireError(
        'SINK_OPEN',
        `cannot publish to ${this.#display}: ${reason} (${attempts} attempt${attempts === 1 ? '' : 's'} in a row)`,
        {
          component: this.#ctx.name,
          hint: 'check that the RTSP server runs and accepts publishing (ANNOUNCE/RECORD) at this URL; maxAttempts ends the retries',
        },
      ),
    );
  }
}

function sameConfig(
  config: NonNullable<EncodedVideo['decoderConfig']>,
  publisher: Publisher,
): boolean {
  return Buffer.compare(config.description, publisher.config.description) === 0;
}
