/**
 * The contract of Bonsai's durable store. Services keep their control-plane resources as versioned
 * JSON documents keyed by (kind, account, region, id), and own extra tables through migrations and
 * `sql()`. Two back ends implement it (SQLite embedded, PostgreSQL shared); see ./index.ts.
 */

/** Identifies one document. `region` is '' for global resources (IAM users, S3 bucket names). */
export interface DocKey {
  kind: string;
  account: string;
  region: string;
  id: string;
}

export interface StoredDoc<T> {
  key: DocKey;
  /** 1 when created, +1 on every put. Restarts at 1 if the document is deleted and created again. */
  version: number;
  /**
   * The value as JSON gives it back (Dates become strings, undefined members vanish). Both back
   * ends keep the JSON text as written (PostgreSQL uses `json`, not `jsonb`), so object key order
   * is preserved.
   */
  value: T;
  createdAt: Date;
  updatedAt: Date;
}

export interface PutOptions {
  /**
   * Optimistic concurrency: the version the caller read, or 'absent' to create only. A mismatch
   * throws StoreConflictError and changes nothing. Omitted: create or overwrite unconditionally.
   */
  expectVersion?: number | 'absent';
}

export interface DeleteOptions {
  /** Delete only if the document is at this version; otherwise (including absent) StoreConflictError. */
  expectVersion?: number;
}

export interface ListQuery {
  kind: string;
  account: string;
  region: string;
  /** Only ids that start with this string (case-sensitive, no wildcards). */
  prefix?: string;
  /** Only ids strictly after this one: pass the last id of the previous page. */
  after?: string;
  /** At most this many documents (a non-negative integer). Omitted: all. */
  limit?: number;
}

/** Document and SQL operations, shared by the Store itself and by a transaction handle. */
export interface DocOps {
  get<T>(key: DocKey): Promise<StoredDoc<T> | undefined>;
  put<T>(key: DocKey, value: T, opts?: PutOptions): Promise<StoredDoc<T>>;
  /** True if a document was deleted, false if there was none. */
  delete(key: DocKey, opts?: DeleteOptions): Promise<boolean>;
  /** Ordered by id in UTF-8 byte order (the same on both back ends). */
  list<T>(q: ListQuery): Promise<StoredDoc<T>[]>;
  /**
   * One statement on a service-owned table. Write `$1, $2` placeholders (PostgreSQL style; the SQLite
   * back end translates them). Returns the rows of a query (or of `RETURNING`), [] otherwise.
   * Column types come back as each driver gives them (PostgreSQL BIGINT arrives as a string).
   */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

export interface Migration {
  /** Positive integer, unique per owner; migrations apply in ascending id order. */
  id: number;
  name: string;
  /** One script for both back ends, or one per dialect. Scripts may hold several statements. */
  sql: { sqlite: string; postgres: string } | string;
}

export type DialectName = 'sqlite' | 'postgres';

export interface Store extends DocOps {
  readonly dialect: DialectName;
  /**
   * Applies the owner's (a service's) migrations that are not yet recorded, in id order, each in its
   * own transaction together with its record, so each is applied exactly once even when several
   * Bonsai processes share one PostgreSQL database.
   */
  migrate(owner: string, migrations: Migration[]): Promise<void>;
  /**
   * Runs `fn` in a serializable transaction: commit when it resolves, roll back when it throws.
   * On PostgreSQL a serialization failure or deadlock reruns `fn` (a bounded number of times), so
   * `fn` must have no side effects outside `tx`. Inside `fn`, use `tx`, never the store itself.
   */
  transaction<T>(fn: (tx: DocOps) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type StoreSpec =
  | {
      kind: 'sqlite';
      /** The database file; created 0600 together with its -wal and -shm files. */
      file: string;
      /** How long a write waits for another process's lock before StoreUnavailableError. Default 5000. */
      busyTimeoutMs?: number;
      /** Default 'full': an acknowledged write survives a crash and power loss. */
      synchronous?: 'full' | 'normal';
      /** Source of createdAt/updatedAt; pass Bonsai's clock. Default: the wall clock. */
      now?: () => Date;
    }
  | {
      kind: 'postgres';
      url: string;
      /** Connections in the pool. Default 10. */
      poolSize?: number;
      /** Attempts of a transaction that keeps failing to serialize. Default 12. */
      maxTransactionAttempts?: number;
      /** Source of createdAt/updatedAt; pass Bonsai's clock. Default: the wall clock. */
      now?: () => Date;
    };
