/**
 * Table records, cached per store. Every item operation needs its table's record (key schema,
 * indexes, stream), and the authorizer needs it too for dynamodb:LeadingKeys; reading and parsing
 * the document from the store cost more than the rest of a GetItem's own work.
 *
 * Coherence:
 * - within this process, every write of a table record (CreateTable, UpdateTable, DeleteTable,
 *   tagging) calls `forgetTable` once its transaction has ended, and a read that started before
 *   a forget never fills the cache (the generation check), so a request that starts after a
 *   change was acknowledged always sees it;
 * - another process sharing the store (PostgreSQL team mode) may change a table behind this
 *   cache: an entry is used for at most MAX_AGE_MS of wall time, the bound on that staleness
 *   (the same idea as the IAM caches' 5 s; AWS documents table metadata as eventually consistent
 *   too). Missing tables are never cached, so a table created elsewhere is seen at once.
 * Only reads outside transactions use the cache: a transaction reads its own, current record.
 * Cached records are frozen, since every request shares them.
 */
import type { Store } from '../../store/types.ts';
import { baseStore } from '../../store/read-memo.ts';

/** How long another process's change to a table may go unseen here. */
export const TABLE_CACHE_MAX_AGE_MS = 1000;

interface Entry<T> {
  record: T;
  fetchedAtMs: number;
}

interface Cache {
  entries: Map<string, Entry<unknown>>;
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

function entryKey(account: string, region: string, table: string): string {
  return `${account}\u0000${region}\u0000${table}`;
}

/** The cached record if fresh, else `read()`'s answer (cached when it is a table). */
export async function cachedTable<T extends object>(
  store: Store,
  where: { accountId: string; region: string },
  table: string,
  read: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const cache = cacheOf(store);
  const key = entryKey(where.accountId, where.region, table);
  const hit = cache.entries.get(key);
  const nowMs = Date.now();
  if (hit && nowMs - hit.fetchedAtMs < TABLE_CACHE_MAX_AGE_MS) return hit.record as T;
  const generation = cache.generation;
  const record = await read();
  if (record === undefined) {
    cache.entries.delete(key);
  } else if (cache.generation === generation) {
    cache.entries.set(key, { record: deepFreeze(record), fetchedAtMs: nowMs });
  }
  return record;
}

/** Drops a table's cached record: call after a transaction that wrote it has ended (committed or not). */
export function forgetTable(store: Store, where: { accountId: string; region: string }, table: string): void {
  const cache = cacheOf(store);
  cache.generation += 1;
  cache.entries.delete(entryKey(where.accountId, where.region, table));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
