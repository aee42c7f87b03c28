import type { Source, SourceObserver, StreamInfo } from '../core/component.ts';

/**
 * Opens `primary`; if it cannot open, closes it and uses `fallback` instead.
 * The fallback's error is the one reported, since it is the general path
 * (a missing file gets the plain "cannot read" message either way).
 */
export class FallbackSource implements Source {
  #active: Source | undefined;

  constructor(
    private readonly primary: () => Source,
    private readonly fallback: () => Source,
  ) {}

  get live(): boolean {
    return this.#active?.live ?? false;
  }

  async open(): Promise<StreamInfo> {
    const first = this.primary();
    try {
      const info = await first.open();
      this.#active = first;
      return info;
    } catch {
      await first.close();
    }
    this.#active = this.fallback();
    return this.#active.open();
  }

  start(observer: SourceObserver): void {
    this.#require().start(observer);
  }

  request(n: number): void {
    this.#require().request(n);
  }

  stop(): void {
    this.#active?.stop();
  }

  async close(): Promise<void> {
    await this.#active?.close();
  }

  dropped(): number {
    return this.#active?.dropped() ?? 0;
  }

  #require(): Source {
    if (!this.#active) throw new Error('source used before open()');
    return this.#active;
  }
}
