/**
 * A map bounded to `capacity` entries that evicts the least recently used one.
 * A hit only stamps the entry with a use counter: it does not reorder the map
 * (a delete and re-insert per hit would fill the hash table with tombstones
 * and make it reallocate every so often). Eviction scans for the oldest stamp,
 * which costs O(capacity) but happens only on a miss into a full cache, when a
 * new string is being rasterized anyway.
 */
export class Lru<K, V> {
  readonly #map = new Map<K, { value: V; used: number }>();
  #clock = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`Lru: capacity must be at least 1, got ${capacity}`);
  }

  get(key: K): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    e.used = ++this.#clock;
    return e.value;
  }

  set(key: K, value: V): void {
    const e = this.#map.get(key);
    if (e) {
      e.value = value;
      e.used = ++this.#clock;
      return;
    }
    if (this.#map.size >= this.capacity) this.#evictOldest();
    this.#map.set(key, { value, used: ++this.#clock });
  }

  get size(): number {
    return this.#map.size;
  }

  #evictOldest(): void {
    let oldest: K | undefined;
    let stamp = Number.POSITIVE_INFINITY;
    for (const [k, e] of this.#map) {
      if (e.used < stamp) {
        stamp = e.used;
        oldest = k;
      }
    }
    if (stamp !== Number.POSITIVE_INFINITY) this.#map.delete(oldest as K);
  }
}
