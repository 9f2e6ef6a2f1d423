/**
 * A small bounded cache with a time-to-live per entry, for the authenticator's answers (like
 * kube-apiserver's webhook token and authorization caches): a hit within the TTL saves a round trip
 * to the API server; at most `maxEntries` are kept, the least recently used dropped first, so a
 * caller sending endless random tokens cannot grow memory.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(private readonly maxEntries: number, private readonly now: () => number = Date.now) {
    if (!(maxEntries >= 1)) throw new Error("a TtlCache needs maxEntries >= 1");
  }

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.expires <= this.now()) return undefined;
    this.entries.set(key, e); // most recently used goes last
    return e.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
