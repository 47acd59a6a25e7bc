/**
 * Table records, cached per store (src/store/record-cache.ts says how the cache stays coherent).
 * Every item operation needs its table's record (key schema, indexes, stream), and the authorizer
 * needs it too for dynamodb:LeadingKeys. Every write of a table record (CreateTable, UpdateTable,
 * DeleteTable, tagging) calls `forgetTable` once its transaction has ended. Only reads outside
 * transactions use the cache: a transaction reads its own, current record.
 */
import type { Store } from '../../store/types.ts';
import { createRecordCache } from '../../store/record-cache.ts';

/** How long another process's change to a table may go unseen here (AWS documents table metadata as eventually consistent too). */
export const TABLE_CACHE_MAX_AGE_MS = 1000;

const tables = createRecordCache<object>({ maxAgeMs: TABLE_CACHE_MAX_AGE_MS, maxEntries: 10_000 });

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
  return (await tables.get(store, entryKey(where.accountId, where.region, table), read)) as T | undefined;
}

/** Drops a table's cached record: call after a transaction that wrote it has ended (committed or not). */
export function forgetTable(store: Store, where: { accountId: string; region: string }, table: string): void {
  tables.forget(store, entryKey(where.accountId, where.region, table));
}
