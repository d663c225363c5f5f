import type { Clock } from './clock.js';

/**
 * Values read from the database and kept in memory until something says they changed (a
 * notification from another instance) or a time limit passes, as a second line for a change that
 * was missed unnoticed. A value being read while a change arrives may already be old: it is used
 * for that one call and not kept. What is not found is not kept either, so a row added a moment
 * ago is found at once. Memory is bounded by `maxEntries`, whatever keys callers ask for.
 */
export class LoadedCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private changes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  /** The value, and whether it came from memory (a caller may then want to check it against a fresh read). */
  async get(key: string, load: (key: string) => Promise<V | undefined>): Promise<{ value: V; cached: boolean } | undefined> {
    const hit = this.entries.get(key);
    if (hit && hit.until > this.clock.now().getTime()) return { value: hit.value, cached: true };
    const value = await this.fresh(key, load);
    return value === undefined ? undefined : { value, cached: false };
  }

  /** Reads the value and keeps it (or forgets the key, if it is gone). */
  async fresh(key: string, load: (key: string) => Promise<V | undefined>): Promise<V | undefined> {
    const before = this.changes;
    const value = await load(key);
    if (this.changes !== before) return value;
    if (value === undefined) {
      this.entries.delete(key);
      return undefined;
    }
    if (this.entries.size >= this.maxEntries) this.evictExpired();
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, until: this.clock.now().getTime() + this.ttlMs });
    return value;
  }

  /** One key changed, or every key (`forgetAll`). */
  forget(key: string): void {
    this.changes += 1;
    this.entries.delete(key);
  }

  forgetAll(): void {
    this.changes += 1;
    this.entries.clear();
  }

  private evictExpired(): void {
    const now = this.clock.now().getTime();
    for (const [key, e] of this.entries) if (e.until <= now) this.entries.delete(key);
  }
}
