/**
 * Bucket records, cached per store. Every object request needs its bucket's record twice (the
 * authorizer for the region check, the owner and the policy; the handler for versioning and the
 * data key), and reading it means waiting for the store's connection (behind a running group
 * commit, on SQLite) and parsing its JSON: more than the rest of a small GetObject's own work.
 *
 * Coherence, as DynamoDB's table cache (src/services/dynamodb/table-cache.ts):
 * - within this process, every write of a bucket record (CreateBucket, DeleteBucket and
 *   updateBucket, through which every configuration changes) calls `forgetBucket` once the write
 *   has ended, and a read that began before a forget never fills the cache (the generation
 *   check), so a request that starts after a change was acknowledged always sees it;
 * - another process sharing the store (PostgreSQL team mode) may change a bucket behind this
 *   cache: an entry is used for at most BUCKET_CACHE_MAX_AGE_MS of wall time, the bound on that
 *   staleness (S3's own bucket configuration is documented as eventually consistent too).
 *   Missing buckets are never cached, so a bucket created elsewhere is seen at once.
 * Cached records are frozen, since every request shares them; changes go through updateBucket,
 * which reads the stored document afresh.
 */
import { baseStore } from '../../../store/read-memo.ts';
import type { Store } from '../../../store/types.ts';
import type { BucketRecord } from './record.ts';

/** How long another process's change to a bucket may go unseen here. */
export const BUCKET_CACHE_MAX_AGE_MS = 1000;

/** Enough for every bucket of a busy account; beyond it the cache starts again (a bound, not an LRU). */
const MAX_CACHED_BUCKETS = 10_000;

interface Entry {
  record: BucketRecord;
  fetchedAtMs: number;
}

interface Cache {
  entries: Map<string, Entry>;
  /** Bumped by every forget: a read that began under an older generation must not fill the cache. */
  generation: number;
}

const caches = new WeakMap<Store, Cache>();

function cacheOf(store: Store): Cache {
  const base = baseStore(store);
  let cache = caches.get(base);
  if (!cache) {
    cache = { entries: new Map(), generation: 0 };
    caches.set(base, cache);
  }
  return cache;
}

/** The cached record if fresh, else `read()`'s answer (cached when the bucket exists). */
export async function cachedBucket(store: Store, name: string, read: () => Promise<BucketRecord | undefined>): Promise<BucketRecord | undefined> {
  const cache = cacheOf(store);
  const hit = cache.entries.get(name);
  const nowMs = Date.now();
  if (hit && nowMs - hit.fetchedAtMs < BUCKET_CACHE_MAX_AGE_MS) return hit.record;
  const generation = cache.generation;
  const record = await read();
  if (record === undefined) {
    cache.entries.delete(name);
  } else if (cache.generation === generation) {
    if (cache.entries.size >= MAX_CACHED_BUCKETS) cache.entries.clear();
    cache.entries.set(name, { record: deepFreeze(record), fetchedAtMs: nowMs });
  }
  return record;
}

/** Drops a bucket's cached record: call once a write of it has ended (succeeded or not). */
export function forgetBucket(store: Store, name: string): void {
  const cache = cacheOf(store);
  cache.generation += 1;
  cache.entries.delete(name);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
