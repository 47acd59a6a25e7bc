/**
 * Records cached per store, for the service records nearly every request reads (DynamoDB tables,
 * S3 buckets): reading and parsing one from the store cost more than the rest of a small request.
 *
 * Coherence, the same for every user:
 * - within this process, every write of a record calls `forget` once the write has ended
 *   (succeeded or not), and a read that began before a forget never fills the cache (the
 *   generation check), so a request that starts after a change was acknowledged always sees it;
 * - another process sharing the store (PostgreSQL team mode) may change a record behind the cache:
 *   an entry is used for at most `maxAgeMs` of wall time, the bound on that staleness. Missing
 *   records are never cached, so a record created elsewhere is seen at once.
 * Cached records are frozen, since every request shares them. One cache serves every view of a
 * store (the per-request read memo included): it is keyed by the store behind the view.
 */
import { baseStore } from './read-memo.ts';
import type { Store } from './types.ts';

export interface RecordCacheOptions {
  /** How long another process's change may go unseen here. */
  maxAgeMs: number;
  /** Beyond this many entries the cache starts again (a bound, not an LRU). */
  maxEntries: number;
}

export interface RecordCache<T extends object> {
  /** The cached record if fresh, else `read()`'s answer (cached when it exists). */
  get(store: Store, key: string, read: () => Promise<T | undefined>): Promise<T | undefined>;
  /** Drops a record: call once a write of it has ended. */
  forget(store: Store, key: string): void;
}

interface Entry<T> {
  record: T;
  fetchedAtMs: number;
}

interface PerStore<T> {
  entries: Map<string, Entry<T>>;
  /** Bumped by every forget: a read that began under an older generation must not fill the cache. */
  generation: number;
}

export function createRecordCache<T extends object>(options: RecordCacheOptions): RecordCache<T> {
  const stores = new WeakMap<Store, PerStore<T>>();
  const cacheOf = (store: Store): PerStore<T> => {
    const base = baseStore(store);
    let cache = stores.get(base);
    if (!cache) {
      cache = { entries: new Map(), generation: 0 };
      stores.set(base, cache);
    }
    return cache;
  };
  return {
    async get(store, key, read) {
      const cache = cacheOf(store);
      const hit = cache.entries.get(key);
      const nowMs = Date.now();
      if (hit && nowMs - hit.fetchedAtMs < options.maxAgeMs) return hit.record;
      const generation = cache.generation;
      const record = await read();
      if (record === undefined) {
        cache.entries.delete(key);
      } else if (cache.generation === generation) {
        if (cache.entries.size >= options.maxEntries) cache.entries.clear();
        cache.entries.set(key, { record: deepFreeze(record), fetchedAtMs: nowMs });
      }
      return record;
    },
    forget(store, key) {
      const cache = cacheOf(store);
      cache.generation += 1;
      cache.entries.delete(key);
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
