/**
 * The shared back end: a pg.Pool on a PostgreSQL database that several Bonsai processes may use.
 *
 * Transactions run at SERIALIZABLE; PostgreSQL then aborts one of two conflicting transactions
 * with SQLSTATE 40001 (or 40P01 on a deadlock) and the whole transaction function is retried with
 * jittered exponential backoff, a bounded number of times, retries of this process one at a time. Migrations instead run at READ
 * COMMITTED under a transaction-scoped advisory lock: a serializable snapshot would be taken before
 * the lock is granted and miss the ledger row of the process that held it.
 */
// Types only at load time: the pg module itself is imported when a PostgreSQL store is opened, so
// the embedded (SQLite) default does not pay for loading it at start-up.
import type pg from 'pg';
import type { Dialect, Driver, Executor, Row, TransactionMode } from './driver.ts';
import { StoreConflictError, StoreUnavailableError } from './errors.ts';
import { AsyncMutex } from './mutex.ts';

export interface PostgresOptions {
  url: string;
  poolSize?: number;
  maxTransactionAttempts?: number;
}

export const postgresDialect: Dialect = {
  name: 'postgres',
  createMigrationsTable: `CREATE TABLE IF NOT EXISTS bonsai_migrations (
    owner text NOT NULL,
    id integer NOT NULL,
    name text NOT NULL,
    applied_at bigint NOT NULL,
    PRIMARY KEY (owner, id)
  )`,
  // COLLATE "C": byte order, like SQLite's BINARY, whatever the database's locale is.
  createDocumentsTable: `CREATE TABLE bonsai_documents (
    kind text COLLATE "C" NOT NULL,
    account text COLLATE "C" NOT NULL,
    region text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    value json NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    PRIMARY KEY (kind, account, region, id)
  )`,
  // pg already parses json columns. json (not jsonb) keeps the text exactly as written, so key
  // order and every string survive as on SQLite.
  decodeJson: (raw) => raw,
};

/** Serializes migration transactions of every process on the database ('bonsai' in ASCII). */
const MIGRATION_LOCK_KEY = 0x626f6e736169;

const SERIALIZATION_FAILURES = new Set(['40001', '40P01']);
const BACKOFF_BASE_MS = 4;
const BACKOFF_CAP_MS = 200;

export async function openPostgresDriver(options: PostgresOptions): Promise<Driver> {
  const { default: pgModule } = await import('pg');
  const pool = new pgModule.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection that dies (server restart) emits 'error' on the pool; unhandled, it would
  // crash the process. The next query on a fresh connection reports the outage instead.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw unavailableOrSelf(err);
  }
  return new PostgresDriver(pool, options.maxTransactionAttempts ?? 12);
}

class PostgresDriver implements Driver {
  readonly dialect = postgresDialect;
  private closed = false;
  /** Retried attempts run one at a time; see transaction(). */
  private readonly retryLane = new AsyncMutex();

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxAttempts: number,
  ) {}

  autocommit<T>(fn: (ex: Executor) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('The store is closed'));
    return fn(executorFor(this.pool));
  }

  async transaction<T>(fn: (ex: Executor) => Promise<T>, mode: TransactionMode): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        // First attempts run concurrently. Retries queue in one lane per process: on a hot key,
        // N transactions that keep retrying concurrently keep aborting each other (20 of them
        // needed up to 9 attempts), while queued retries only meet fresh first attempts.
        return attempt === 1 ? await this.attempt(fn, mode) : await this.retryLane.run(() => this.attempt(fn, mode));
      } catch (err) {
        if (!isSerializationFailure(err)) throw err;
        if (attempt >= this.maxAttempts) {
          throw new StoreConflictError(`The transaction failed to serialize ${attempt} times in a row`, { cause: err });
        }
        await sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async attempt<T>(fn: (ex: Executor) => Promise<T>, mode: TransactionMode): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('The store is closed');
    const client = await this.pool.connect().catch((err: unknown) => {
      throw unavailableOrSelf(err);
    });
    // fn may catch a failed statement and carry on, but PostgreSQL has aborted the transaction by
    // then; remember a serialization failure so the attempt is still retried.
    let serializationFailure: unknown;
    const ex = executorFor(client, (err) => {
      if (isSerializationFailure(err)) serializationFailure ??= err;
    });
    let brokenConnection: Error | undefined;
    try {
      if (mode === 'migration') {
        await ex.query('BEGIN ISOLATION LEVEL READ COMMITTED');
        await ex.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      } else {
        await ex.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      }
      const result = await fn(ex);
      if (serializationFailure !== undefined) throw serializationFailure;
      const commit = await client.query('COMMIT').catch((err: unknown) => {
        throw unavailableOrSelf(err);
      });
      // COMMIT of a transaction that a failed statement aborted answers ROLLBACK, not an error.
      if (commit.command === 'ROLLBACK') {
        throw new Error('The transaction was rolled back: a statement in it failed and the failure was caught inside the transaction');
      }
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        brokenConnection = rollbackErr;
      });
      throw err;
    } finally {
      // Releasing with an error destroys the connection instead of pooling a broken one.
      client.release(brokenConnection);
    }
  }
}

function executorFor(queryable: pg.Pool | pg.PoolClient, onError?: (err: unknown) => void): Executor {
  const run = async (text: string, params?: unknown[]): Promise<pg.QueryResult> => {
    try {
      return await queryable.query(text, params);
    } catch (err) {
      onError?.(err);
      throw unavailableOrSelf(err);
    }
  };
  return {
    query: async (text, params = []) => (await run(text, params)).rows as Row[],
    // Without parameters pg uses the simple query protocol, which accepts several statements.
    exec: async (script) => {
      await run(script);
    },
  };
}

function isSerializationFailure(err: unknown): boolean {
  for (let e = err; e instanceof Error || (e !== null && typeof e === 'object'); e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && SERIALIZATION_FAILURES.has(code)) return true;
  }
  return false;
}

const UNAVAILABLE_SQLSTATES = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end/i;

/** Connection-level failures become StoreUnavailableError; SQL errors pass through unchanged. */
function unavailableOrSelf(err: unknown): unknown {
  if (err instanceof StoreUnavailableError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  const unavailable =
    (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_NODE_CODES.has(code))) ||
    (err instanceof AggregateError && err.errors.some((e) => unavailableOrSelf(e) instanceof StoreUnavailableError)) ||
    UNAVAILABLE_MESSAGES.test(message);
  return unavailable ? new StoreUnavailableError(`The PostgreSQL database is unavailable: ${message || code}`, { cause: err }) : err;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
