/**
 * The embedded back end: one better-sqlite3 connection to a WAL database file.
 *
 * better-sqlite3 is synchronous and a store holds a single connection, so every operation, in or
 * out of a transaction, runs under one async mutex (shared by all stores of this process on the
 * same file): an awaiting transaction never interleaves with other statements. Transactions start
 * with BEGIN IMMEDIATE, which takes the write lock up front; with one writer at a time SQLite's
 * transactions are serializable by construction. Concurrent transactions share one COMMIT (and
 * its fsync), each in its own savepoint: see SqliteDriver.runGroup.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Dialect, Driver, Executor, Row, TransactionMode } from './driver.ts';
import { StoreUnavailableError } from './errors.ts';
import { AsyncMutex } from './mutex.ts';

export interface SqliteOptions {
  file: string;
  busyTimeoutMs?: number;
  synchronous?: 'full' | 'normal';
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  createMigrationsTable: `CREATE TABLE IF NOT EXISTS bonsai_migrations (
    owner TEXT NOT NULL,
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (owner, id)
  )`,
  // TEXT compares with BINARY collation: UTF-8 byte order, the order PostgreSQL gives with COLLATE "C".
  createDocumentsTable: `CREATE TABLE bonsai_documents (
    kind TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, account, region, id)
  )`,
  decodeJson: (raw) => JSON.parse(raw as string),
};

/** Statement cache size: services' SQL is static text, so this only bounds a misuse. */
const MAX_CACHED_STATEMENTS = 1000;

/** SQLite result codes that mean the database cannot be used right now, not that the SQL is wrong. */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|CORRUPT|NOTADB|READONLY|PROTOCOL|NOMEM)/;

export async function openSqliteDriver(options: SqliteOptions): Promise<Driver> {
  const db = openDatabase(options);
  return new SqliteDriver(db, acquireFileMutex(options.file === ':memory:' ? undefined : realpathSync(options.file)));
}

/**
 * One mutex per database file for the whole process. Two connections in one process must not
 * wait for each other's locks through SQLite: its busy handler sleeps synchronously, blocking the
 * event loop that the lock holder needs to finish its transaction (a deadlock until the timeout).
 * Other processes are fine: their waits block only themselves.
 */
const fileMutexes = new Map<string, { mutex: AsyncMutex; users: number }>();

interface FileMutex {
  mutex: AsyncMutex;
  release(): void;
}

function acquireFileMutex(path: string | undefined): FileMutex {
  if (path === undefined) return { mutex: new AsyncMutex(), release: () => undefined };
  let entry = fileMutexes.get(path);
  if (entry === undefined) {
    entry = { mutex: new AsyncMutex(), users: 0 };
    fileMutexes.set(path, entry);
  }
  entry.users += 1;
  const shared = entry;
  return {
    mutex: shared.mutex,
    release: () => {
      shared.users -= 1;
      if (shared.users === 0 && fileMutexes.get(path) === shared) fileMutexes.delete(path);
    },
  };
}

function openDatabase(options: SqliteOptions): Database.Database {
  const inMemory = options.file === ':memory:';
  let db: Database.Database | undefined;
  try {
    if (!inMemory) createPrivateFile(options.file);
    db = new Database(options.file);
    if (!inMemory) db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit: an acknowledged write survives power loss, not just a
    // crash of the process (which NORMAL already survives in WAL mode).
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma('foreign_keys = ON');
    // The -wal and -shm files now exist. SQLite creates them with the database file's mode; an
    // older copy left by a previous, looser version is tightened here.
    if (!inMemory) for (const suffix of ['-wal', '-shm']) tightenMode(options.file + suffix);
    return db;
  } catch (err) {
    db?.close();
    throw unavailableOrSelf(err, `Cannot open the SQLite database ${options.file}`);
  }
}

/** Creates the database file 0600 before SQLite does (SQLite would use the umask, usually 0644). */
function createPrivateFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

function tightenMode(file: string): void {
  if (existsSync(file)) chmodSync(file, 0o600);
}

/** A transaction waiting for its group, and how to answer it once the group has committed. */
interface QueuedTransaction {
  fn: (ex: Executor) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * At most this many transactions share a commit, so that statements outside transactions (which
 * wait for the group) are not held up for long.
 */
const MAX_GROUP_SIZE = 64;

interface PreparedStatement {
  statement: Database.Statement;
  parameterCount: number;
}

class SqliteDriver implements Driver {
  readonly dialect = sqliteDialect;
  private readonly mutex: AsyncMutex;
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly executor: Executor;
  private closed = false;
  /** Transactions waiting for a group (see runGroup). */
  private readonly queue: QueuedTransaction[] = [];
  /** True while a group is scheduled or still taking members from the queue. */
  private groupOpen = false;
  private readonly controlStatements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly fileMutex: FileMutex,
  ) {
    this.mutex = fileMutex.mutex;
    this.executor = {
      query: async (text, params = []) => this.query(text, params),
      exec: async (script) => {
        this.guard(() => this.db.exec(script));
      },
    };
  }

  autocommit<T>(fn: (ex: Executor) => Promise<T>): Promise<T> {
    return this.mutex.run(() => {
      this.checkOpen();
      return fn(this.executor);
    });
  }

  transaction<T>(fn: (ex: Executor) => Promise<T>, mode: TransactionMode): Promise<T> {
    if (mode === 'migration') return this.soloTransaction(fn);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.groupOpen) this.scheduleGroup();
    });
  }

  /** One transaction with its own commit (migrations: their DDL and record stand alone). */
  private soloTransaction<T>(fn: (ex: Executor) => Promise<T>): Promise<T> {
    return this.mutex.run(() => this.runSolo(fn));
  }

  /** BEGIN IMMEDIATE … COMMIT around `fn`; the caller holds the mutex. */
  private async runSolo<T>(fn: (ex: Executor) => Promise<T>): Promise<T> {
    // IMMEDIATE excludes every other writer, in any process.
    this.checkOpen();
    this.guard(() => this.db.exec('BEGIN IMMEDIATE'));
    try {
      const result = await fn(this.executor);
      this.guard(() => this.db.exec('COMMIT'));
      return result;
    } catch (err) {
      // SQLite may already have rolled back by itself (for example after SQLITE_FULL).
      if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private scheduleGroup(): void {
    this.groupOpen = true;
    void this.mutex.run(() => this.runGroup());
  }

  /**
   * Group commit. With synchronous=FULL each COMMIT waits for an fsync (milliseconds on most
   * disks), on the event loop's thread. So the transactions queued when the group starts, and
   * those that arrive before the event loop has served the I/O already waiting (one setImmediate),
   * run one after another inside a single SQLite transaction, each in its own savepoint, and share
   * one COMMIT. Each is still serializable (they run one at a time, in arrival order), a throw rolls
   * back its own savepoint only, and none is answered before the COMMIT that makes it durable.
   * If the group as a whole fails (the COMMIT fails, say on a deferred constraint, or SQLite ends
   * the transaction by itself), it is rolled back and each member runs again in a transaction of
   * its own, as the PostgreSQL back end reruns a transaction: transaction functions may run again.
   */
  private async runGroup(): Promise<void> {
    const members: Array<{ job: QueuedTransaction; outcome: Outcome }> = [];
    try {
      this.checkOpen();
      this.guard(() => this.statement('BEGIN IMMEDIATE').run());
    } catch (err) {
      this.groupOpen = false;
      for (const job of this.queue.splice(0)) job.reject(err);
      return;
    }
    try {
      let yielded = false;
      while (members.length < MAX_GROUP_SIZE) {
        const job = this.queue.shift();
        if (job === undefined) {
          if (yielded) break;
          yielded = true;
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        // A member joins the group before it runs, so that a failure while running it is retried too.
        const member: { job: QueuedTransaction; outcome: Outcome } = { job, outcome: { ok: false, error: undefined } };
        members.push(member);
        const outcome = (member.outcome = await this.runInSavepoint(job));
        if (!this.db.inTransaction) {
          // SQLite rolled the whole transaction back by itself (SQLITE_FULL, an I/O error, …): the
          // members before this one lost their writes too, and none of them has been answered yet.
          throw outcome.ok ? new StoreUnavailableError('The SQLite transaction ended unexpectedly') : outcome.error;
        }
      }
      this.guard(() => this.statement('COMMIT').run());
    } catch (groupError) {
      if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
      this.settleGroup(await this.runEachAlone(members.map((m) => m.job), groupError));
      return;
    }
    this.settleGroup(members);
  }

  /** After a failed group: each member in its own transaction, so that one member's failure is its own. */
  private async runEachAlone(jobs: QueuedTransaction[], groupError: unknown): Promise<Array<{ job: QueuedTransaction; outcome: Outcome }>> {
    const results: Array<{ job: QueuedTransaction; outcome: Outcome }> = [];
    for (const job of jobs) {
      if (this.closed || !this.db.open) {
        results.push({ job, outcome: { ok: false, error: groupError } });
        continue;
      }
      try {
        results.push({ job, outcome: { ok: true, value: await this.runSolo(job.fn) } });
      } catch (error) {
        results.push({ job, outcome: { ok: false, error } });
      }
    }
    return results;
  }

  private async runInSavepoint(job: QueuedTransaction): Promise<Outcome> {
    try {
      this.guard(() => this.statement('SAVEPOINT group_member').run());
    } catch (error) {
      return { ok: false, error };
    }
    try {
      const value = await job.fn(this.executor);
      this.guard(() => this.statement('RELEASE group_member').run());
      return { ok: true, value };
    } catch (error) {
      // Undo this member only; if SQLite already ended the transaction, runGroup sees it.
      if (this.db.inTransaction) {
        this.statement('ROLLBACK TO group_member').run();
        this.statement('RELEASE group_member').run();
      }
      return { ok: false, error };
    }
  }

  /** Answers the members of a group that has ended, and opens the next group if some are waiting. */
  private settleGroup(members: Array<{ job: QueuedTransaction; outcome: Outcome }>): void {
    this.groupOpen = false;
    for (const { job, outcome } of members) {
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    }
    if (this.queue.length > 0) this.scheduleGroup();
  }

  /** Transaction control statements, prepared once (they run several times per group). */
  private statement(sql: string): Database.Statement {
    let prepared = this.controlStatements.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare(sql);
      this.controlStatements.set(sql, prepared);
    }
    return prepared;
  }

  close(): Promise<void> {
    return this.mutex.run(async () => {
      if (this.closed) return;
      this.closed = true;
      this.statements.clear();
      this.controlStatements.clear();
      this.fileMutex.release();
      this.db.close();
    });
  }

  private query(text: string, params: unknown[]): Row[] {
    this.checkOpen();
    const { statement, parameterCount } = this.prepare(text);
    if (params.length !== parameterCount) {
      // PostgreSQL refuses a mismatch too; refusing here keeps SQL portable.
      throw new RangeError(`SQL takes ${parameterCount} parameter(s) but ${params.length} were given: ${text}`);
    }
    const bound = bindParameters(params);
    return this.guard(() => {
      if (statement.reader) return statement.all(bound) as Row[];
      statement.run(bound);
      return [];
    });
  }

  private prepare(text: string): PreparedStatement {
    let prepared = this.statements.get(text);
    if (prepared === undefined) {
      const translated = toSqlitePlaceholders(text);
      prepared = { statement: this.guard(() => this.db.prepare(translated.sql)), parameterCount: translated.parameterCount };
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      this.statements.set(text, prepared);
    }
    return prepared;
  }

  private checkOpen(): void {
    if (this.closed || !this.db.open) throw new StoreUnavailableError('The store is closed');
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw unavailableOrSelf(err, 'The SQLite database is unavailable');
    }
  }
}

function unavailableOrSelf(err: unknown, message: string): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.test(code)) {
    return new StoreUnavailableError(`${message}: ${(err as Error).message} (${code})`, { cause: err });
  }
  return err;
}

/**
 * Binds `$1, $2` values as better-sqlite3's named parameters `@p1, @p2`, converting the JS types
 * SQLite has no binding for the way pg sends them: booleans as 1/0 (SQLite has no boolean type),
 * Dates as ISO-8601 text, undefined as NULL.
 */
function bindParameters(params: unknown[]): Record<string, unknown> {
  const bound: Record<string, unknown> = {};
  params.forEach((value, index) => {
    bound[`p${index + 1}`] = toSqliteValue(value);
  });
  return bound;
}

function toSqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value;
}

/**
 * Rewrites PostgreSQL placeholders `$1` as `@p1` outside string literals, quoted identifiers and
 * comments. (better-sqlite3 does not bind SQLite's own `?1` from an array; named parameters work
 * and let one value be used twice, as `$1` can be.) It also checks that the placeholders are
 * exactly $1..$n, as PostgreSQL does, so SQL that passes here also passes there.
 */
export function toSqlitePlaceholders(text: string): { sql: string; parameterCount: number } {
  let out = '';
  let highest = 0;
  const used = new Set<number>();
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const skipTo = skipQuotedOrComment(text, i);
    if (skipTo > i) {
      out += text.slice(i, skipTo);
      i = skipTo;
      continue;
    }
    const match = ch === '$' && !isIdentifierChar(text[i - 1]) ? /^\$(\d+)/.exec(text.slice(i, i + 12)) : null;
    if (match) {
      const n = Number(match[1]);
      used.add(n);
      highest = Math.max(highest, n);
      out += `@p${n}`;
      i += match[0].length;
      continue;
    }
    out += ch;
    i += 1;
  }
  for (let n = 1; n <= highest; n++) {
    if (!used.has(n)) throw new SyntaxError(`SQL uses $${highest} but not $${n}: ${text}`);
  }
  return { sql: out, parameterCount: highest };
}

/** If a literal, quoted identifier or comment starts at `i`, the index just after it; else `i`. */
function skipQuotedOrComment(text: string, i: number): number {
  const ch = text[i];
  if (ch === "'" || ch === '"' || ch === '`') {
    // Quotes inside are doubled ('it''s'), which this loop reads as two adjacent literals.
    const end = text.indexOf(ch, i + 1);
    return end === -1 ? text.length : end + 1;
  }
  if (ch === '-' && text[i + 1] === '-') {
    const end = text.indexOf('\n', i);
    return end === -1 ? text.length : end + 1;
  }
  if (ch === '/' && text[i + 1] === '*') {
    const end = text.indexOf('*/', i + 2);
    return end === -1 ? text.length : end + 2;
  }
  return i;
}

function isIdentifierChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_$]/.test(ch);
}
