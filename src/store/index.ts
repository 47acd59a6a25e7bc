/**
 * Bonsai's durable store: versioned JSON documents plus service-owned tables, on SQLite (embedded
 * default) or PostgreSQL (shared deployment). Services depend on the Store interface only.
 */
import { openPostgresDriver } from './postgres.ts';
import { openSqliteDriver } from './sqlite.ts';
import { SqlStore } from './sql-store.ts';
import type { Store, StoreSpec } from './types.ts';

export type {
  DeleteOptions,
  DialectName,
  DocKey,
  DocOps,
  ListQuery,
  Migration,
  PutOptions,
  Store,
  StoredDoc,
  StoreSpec,
} from './types.ts';
export { StoreConflictError, StoreUnavailableError, type VersionState } from './errors.ts';

/** Opens (creating if needed) the store and brings its own tables up to date. */
export async function openStore(spec: StoreSpec): Promise<Store> {
  const driver = spec.kind === 'sqlite' ? await openSqliteDriver(spec) : await openPostgresDriver(spec);
  return SqlStore.open(driver, spec.now);
}
