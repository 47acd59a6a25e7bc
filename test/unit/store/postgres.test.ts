import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, StoreConflictError, StoreUnavailableError, type Store } from '../../../src/store/index.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../helpers/postgres.ts';
import { defineStoreConformance } from './conformance.ts';

// One throw-away server for the whole file; the conformance suite starts it, the rest reuse it.
let server: ThrowawayPostgres | undefined;
async function sharedServer(): Promise<ThrowawayPostgres> {
  server ??= await startThrowawayPostgres();
  return server;
}
after(async () => {
  await server?.stop();
});

defineStoreConformance('postgres', async () => {
  const { url } = await sharedServer();
  return {
    open: (options = {}) => openStore({ kind: 'postgres', url, ...options }),
    teardown: async () => undefined,
  };
});

describe('PostgreSQL back end', () => {
  let store: Store;
  before(async () => {
    store = await openStore({ kind: 'postgres', url: (await sharedServer()).url, maxTransactionAttempts: 3 });
  });
  after(async () => {
    await store?.close();
  });

  const key = (id: string) => ({ kind: 'pg', account: '999999999999', region: 'us-east-1', id });

  test('stores documents as json (text kept as written) and ids with byte-order collation', async () => {
    assert.equal(store.dialect, 'postgres');
    const columns = await store.sql(
      `SELECT column_name, data_type, collation_name FROM information_schema.columns
       WHERE table_name = 'bonsai_documents' AND column_name IN ('id', 'value') ORDER BY column_name`,
    );
    assert.deepEqual(columns, [
      { column_name: 'id', data_type: 'text', collation_name: 'C' },
      { column_name: 'value', data_type: 'json', collation_name: null },
    ]);
  });

  test('a serialization failure reruns the whole transaction function', async () => {
    let calls = 0;
    const result = await store.transaction(async (tx) => {
      calls += 1;
      await tx.put(key(`retry-${calls}`), calls);
      if (calls < 3) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      return 'third time';
    });
    assert.deepEqual([result, calls], ['third time', 3]);
    // Only the last attempt's write survives.
    assert.deepEqual([await store.get(key('retry-1')), await store.get(key('retry-2'))], [undefined, undefined]);
    assert.equal((await store.get(key('retry-3')))?.value, 3);
  });

  test('a deadlock (40P01) is retried too, and retries are bounded', async () => {
    let calls = 0;
    await assert.rejects(
      store.transaction(async () => {
        calls += 1;
        throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      }),
      (err: unknown) => {
        assert.ok(err instanceof StoreConflictError);
        assert.equal(err.message, 'The transaction failed to serialize 3 times in a row');
        assert.equal((err.cause as Error).message, 'deadlock detected');
        return true;
      },
    );
    assert.equal(calls, 3);
  });

  test('a real serialization failure that fn swallows is still retried', async () => {
    await store.put(key('swallow'), { n: 0 });
    let calls = 0;
    let gateOpen!: () => void;
    const gate = new Promise<void>((resolve) => (gateOpen = resolve));
    const first = store.transaction(async (tx) => {
      calls += 1;
      const doc = await tx.get<{ n: number }>(key('swallow'));
      if (calls === 1) await gate; // let the other transaction commit a write to the same row
      try {
        await tx.put(key('swallow'), { n: doc!.value.n + 1 });
      } catch {
        // deliberately swallowed: the store must notice the aborted attempt anyway
      }
      return calls;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.transaction(async (tx) => {
      const doc = await tx.get<{ n: number }>(key('swallow'));
      await tx.put(key('swallow'), { n: doc!.value.n + 10 });
    });
    gateOpen();
    assert.equal(await first, 2);
    assert.deepEqual((await store.get(key('swallow')))?.value, { n: 11 });
  });

  test('a transaction whose failed statement was caught is rolled back, not half-committed', async () => {
    await store.migrate('pg.caught', [{ id: 1, name: 'create', sql: 'CREATE TABLE caught (k text PRIMARY KEY)' }]);
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.put(key('before-failure'), 1);
        await tx.sql('INSERT INTO caught (k) VALUES ($1), ($1)', ['dup']).catch(() => undefined);
      }),
      { message: 'The transaction was rolled back: a statement in it failed and the failure was caught inside the transaction' },
    );
    assert.equal(await store.get(key('before-failure')), undefined);
  });

  test('a server that cannot be reached is StoreUnavailableError', async () => {
    await assert.rejects(openStore({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/postgres' }), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError);
      assert.match(err.message, /^The PostgreSQL database is unavailable: .*ECONNREFUSED/);
      return true;
    });
  });
});

describe('PostgreSQL contention', () => {
  test('retries queue in one lane, so 20 transactions on one hot key finish in at most 4 attempts each', async () => {
    const store = await openStore({ kind: 'postgres', url: (await sharedServer()).url });
    try {
      const key = { kind: 'pg', account: '999999999999', region: 'us-east-1', id: 'hot' };
      await store.put(key, { n: 0 });
      const attempts = Array.from({ length: 20 }, () => 0);
      await Promise.all(
        attempts.map((_, j) =>
          store.transaction(async (tx) => {
            attempts[j]! += 1;
            const doc = await tx.get<{ n: number }>(key);
            await new Promise((resolve) => setTimeout(resolve, 10));
            await tx.put(key, { n: doc!.value.n + 1 });
          }),
        ),
      );
      assert.equal((await store.get<{ n: number }>(key))?.value.n, 20);
      assert.ok(Math.max(...attempts) <= 4, `attempts per transaction: ${attempts.join(',')}`);
      assert.ok(Math.max(...attempts) >= 2, 'the transactions should have conflicted at least once');
    } finally {
      await store.close();
    }
  });
});
