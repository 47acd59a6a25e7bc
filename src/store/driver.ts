/**
 * The seam between the generic store (./sql-store.ts) and a back end. Everything that differs
 * between SQLite and PostgreSQL lives behind these two small interfaces, one implementation per
 * back end (./sqlite.ts, ./postgres.ts): the SQL text of the document and migration queries is
 * the same on both.
 */
import type { DialectName } from './types.ts';

export type Row = Record<string, unknown>;

/** Runs SQL on one connection (or, outside a transaction, on whichever the back end picks). */
export interface Executor {
  /** One statement with `$1, $2` placeholders; the rows it returns ([] for a plain write). */
  query(text: string, params?: unknown[]): Promise<Row[]>;
  /** A script of one or more statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/** SQL and type differences between the back ends. */
export interface Dialect {
  readonly name: DialectName;
  /** Creates the migrations ledger if it does not exist (run before the first migration). */
  readonly createMigrationsTable: string;
  /** The store's own first migration: the documents table. */
  readonly createDocumentsTable: string;
  /** Turns a `value` column as the driver returns it into the JSON value. */
  decodeJson(raw: unknown): unknown;
}

/**
 * 'serializable': an ordinary transaction. 'migration': serialized against every other migration
 * transaction, across processes too, and seeing everything they committed.
 */
export type TransactionMode = 'serializable' | 'migration';

/** Connection handling of one back end. */
export interface Driver {
  readonly dialect: Dialect;
  /** Runs `fn` outside any transaction (each statement commits by itself). */
  autocommit<T>(fn: (ex: Executor) => Promise<T>): Promise<T>;
  /** Runs `fn` in a transaction; the back end may run it again after a serialization failure. */
  transaction<T>(fn: (ex: Executor) => Promise<T>, mode: TransactionMode): Promise<T>;
  close(): Promise<void>;
}
