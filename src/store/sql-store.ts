/**
 * The Store, written once over a Driver. It adds what both back ends share: document operations,
 * migrations, transaction handles that die with their transaction, and a guard against the one
 * mistake that would hang the SQLite back end (using the store instead of `tx` inside a transaction).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { documentOps, type DocumentContext } from './documents.ts';
import type { Driver, Executor } from './driver.ts';
import { applyMigrations, ensureMigrationsTable } from './migrations.ts';
import type { DeleteOptions, DialectName, DocKey, DocOps, ListQuery, Migration, PutOptions, Store, StoredDoc } from './types.ts';

/** The store's own migrations, applied at open. */
const STORE_OWNER = 'bonsai.store';

/** Marks the async context of a running transaction. `active` turns false when it ends. */
interface TransactionScope {
  store: SqlStore;
  active: boolean;
}

/**
 * The guard against using the store inside its own transaction needs the async context, and an
 * AsyncLocalStorage in use makes Node 20 run promise hooks on every promise in the process (about
 * 5 % of a request's CPU). So the guard is on where mistakes are made and caught, under the test
 * runner (NODE_ENV=test) or with BONSAI_STORE_GUARD=1, and off in normal running.
 */
const transactionScope: AsyncLocalStorage<TransactionScope> | undefined =
  process.env.NODE_ENV === 'test' || process.env.BONSAI_STORE_GUARD === '1' ? new AsyncLocalStorage<TransactionScope>() : undefined;

export class SqlStore implements Store {
  readonly dialect: DialectName;
  private readonly ctx: DocumentContext;
  private readonly autocommitOps = new WeakMap<Executor, DocOps>();

  private constructor(private readonly driver: Driver, now: () => Date) {
    this.dialect = driver.dialect.name;
    this.ctx = { dialect: driver.dialect, now };
  }

  /** Wraps a connected driver and brings the store's own tables up to date. */
  static async open(driver: Driver, now: () => Date = () => new Date()): Promise<SqlStore> {
    const store = new SqlStore(driver, now);
    try {
      await ensureMigrationsTable(driver);
      await store.migrate(STORE_OWNER, [{ id: 1, name: 'documents', sql: driver.dialect.createDocumentsTable }]);
    } catch (err) {
      await driver.close().catch(() => undefined);
      throw err;
    }
    return store;
  }

  get<T>(key: DocKey): Promise<StoredDoc<T> | undefined> {
    return this.outsideTransaction('get', (ops) => ops.get<T>(key));
  }

  put<T>(key: DocKey, value: T, opts?: PutOptions): Promise<StoredDoc<T>> {
    return this.outsideTransaction('put', (ops) => ops.put(key, value, opts));
  }

  delete(key: DocKey, opts?: DeleteOptions): Promise<boolean> {
    return this.outsideTransaction('delete', (ops) => ops.delete(key, opts));
  }

  list<T>(q: ListQuery): Promise<StoredDoc<T>[]> {
    return this.outsideTransaction('list', (ops) => ops.list<T>(q));
  }

  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]> {
    return this.outsideTransaction('sql', (ops) => ops.sql<R>(text, params));
  }

  async migrate(owner: string, migrations: Migration[]): Promise<void> {
    this.refuseInsideTransaction('migrate');
    await applyMigrations(this.driver, owner, migrations, this.ctx.now);
  }

  async transaction<T>(fn: (tx: DocOps) => Promise<T>): Promise<T> {
    this.refuseInsideTransaction('transaction');
    // Each attempt (the PostgreSQL back end may retry) gets a fresh handle and scope.
    return this.driver.transaction(async (ex) => {
      const scope: TransactionScope = { store: this, active: true };
      try {
        const handle = transactionHandle(ex, this.ctx, scope);
        return await (transactionScope ? transactionScope.run(scope, () => fn(handle)) : fn(handle));
      } finally {
        scope.active = false;
      }
    }, 'serializable');
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  private outsideTransaction<R>(operation: string, fn: (ops: DocOps) => Promise<R>): Promise<R> {
    try {
      this.refuseInsideTransaction(operation);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.driver.autocommit((ex) => fn(this.opsFor(ex)));
  }

  /** Document operations over an autocommit executor, built once per executor (SQLite has one). */
  private opsFor(ex: Executor): DocOps {
    let ops = this.autocommitOps.get(ex);
    if (ops === undefined) {
      ops = documentOps(ex, this.ctx);
      this.autocommitOps.set(ex, ops);
    }
    return ops;
  }

  /**
   * On SQLite the store waits for the running transaction to finish, which is waiting for this
   * call: a silent deadlock. On PostgreSQL the call would escape the transaction. Fail loudly.
   */
  private refuseInsideTransaction(operation: string): void {
    const scope = transactionScope?.getStore();
    if (scope?.store === this && scope.active) {
      throw new Error(`store.${operation}() was called inside store.transaction(); use the transaction handle (tx.${operation}) instead`);
    }
  }
}

/** DocOps bound to one transaction attempt; unusable once that attempt has ended. */
function transactionHandle(ex: Executor, ctx: DocumentContext, scope: TransactionScope): DocOps {
  const ops = documentOps(ex, ctx);
  const live = <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      scope.active ? fn(...args) : Promise.reject(new Error(`tx.${name}() was called after its transaction ended`));
  return {
    get: live('get', ops.get),
    put: live('put', ops.put),
    delete: live('delete', ops.delete),
    list: live('list', ops.list),
    sql: live('sql', ops.sql),
  } as DocOps;
}
