import { didYouMean } from './suggest.ts';

/**
 * A named registry (sources, stages, sinks, decoders). Duplicate names are a
 * programming error; a miss lists the valid names and suggests the nearest one.
 */
export class Registry<T> {
  readonly #entries = new Map<string, T>();

  constructor(readonly kind: string) {}

  add(name: string, entry: T): this {
    if (this.#entries.has(name)) {
      throw new Error(`${this.kind} "${name}" is registered twice`);
    }
    this.#entries.set(name, entry);
    return this;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The entry, or undefined; use `missMessage` to explain a miss. */
  find(name: string): T | undefined {
    return this.#entries.get(name);
  }

  get(name: string): T {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new Error(this.missMessage(name));
    return entry;
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  entries(): [string, T][] {
    return [...this.#entries.entries()];
  }

  missMessage(name: string): string {
    const suggestion = didYouMean(name, this.#entries.keys());
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
    return `unknown ${this.kind} type "${name}".${hint} Valid types: ${this.names().join(', ')}`;
  }
}
