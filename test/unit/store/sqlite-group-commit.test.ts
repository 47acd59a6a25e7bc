// The SQLite back end's group commit: concurrent transactions share one COMMIT (one fsync), yet
// each keeps its own outcome: a throw undoes only its own writes, and a group that fails as a
// whole (here: a deferred foreign key caught only at COMMIT) is rerun member by member.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, type DocKey, type Store } from '../../../src/store/index.ts';

describe('SQLite group commit', () => {
  let dir: string;
  let file: string;
  let store: Store;
  /** A second, raw connection: it reads how many frames the commits appended to the WAL. */
  let observer: Database.Database;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bonsai-group-commit-'));
    file = join(dir, 'bonsai.db');
    store = await openStore({ kind: 'sqlite', file });
    await store.migrate('group-commit-test', [
      {
        id: 1,
        name: 'parent and child',
        sql: `CREATE TABLE gc_parent (id TEXT PRIMARY KEY);
              CREATE TABLE gc_child (id TEXT PRIMARY KEY, parent TEXT REFERENCES gc_parent (id) DEFERRABLE INITIALLY DEFERRED)`,
      },
    ]);
    observer = new Database(file);
  });
  after(async () => {
    observer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const key = (id: string): DocKey => ({ kind: 'gc', account: '123456789012', region: 'us-east-1', id });

  /** Frames appended to the WAL since the last call (each COMMIT appends the pages it changed). */
  function walFramesSinceLastCall(): number {
    type Checkpoint = Array<{ busy: number; log: number; checkpointed: number }>;
    const [passive] = observer.pragma('wal_checkpoint(PASSIVE)') as Checkpoint;
    const [truncate] = observer.pragma('wal_checkpoint(TRUNCATE)') as Checkpoint;
    assert.equal(truncate!.busy, 0);
    return passive!.log;
  }

  test('20 concurrent transactions on one document commit together, and all 20 increments count', async () => {
    await store.put(key('counter'), { n: 0 });
    walFramesSinceLastCall();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.transaction(async (tx) => {
          const doc = await tx.get<{ n: number }>(key('counter'));
          await tx.put(key('counter'), { n: doc!.value.n + 1 });
        }),
      ),
    );
    const frames = walFramesSinceLastCall();
    const final = await store.get<{ n: number }>(key('counter'));
    assert.deepEqual([final?.value.n, final?.version], [20, 21]);
    // One commit of the one changed page; twenty commits would append at least twenty frames.
    assert.ok(frames >= 1 && frames <= 2, `expected one commit's frames, got ${frames}`);
  });

  test('one after another, each transaction still commits by itself', async () => {
    walFramesSinceLastCall();
    for (let i = 0; i < 5; i++) await store.transaction((tx) => tx.put(key('sequential'), i));
    assert.ok(walFramesSinceLastCall() >= 5);
    assert.equal((await store.get(key('sequential')))?.value, 4);
  });

  test('a member that throws undoes only its own writes; the others commit', async () => {
    const boom = new Error('boom');
    const [first, second, third] = await Promise.allSettled([
      store.transaction((tx) => tx.put(key('kept-1'), 'one')),
      store.transaction(async (tx) => {
        await tx.put(key('kept-1'), 'overwritten by the failing member');
        await tx.put(key('dropped'), 'two');
        throw boom;
      }),
      store.transaction(async (tx) => {
        // It runs after the failed member and sees the state without it.
        assert.equal((await tx.get(key('dropped'))), undefined);
        await tx.put(key('kept-3'), 'three');
        return (await tx.get(key('kept-1')))?.value;
      }),
    ]);
    assert.equal(first.status, 'fulfilled');
    assert.deepEqual(second, { status: 'rejected', reason: boom });
    assert.deepEqual(third, { status: 'fulfilled', value: 'one' });
    assert.equal((await store.get(key('kept-1')))?.value, 'one');
    assert.equal(await store.get(key('dropped')), undefined);
    assert.equal((await store.get(key('kept-3')))?.value, 'three');
  });

  test('a group whose COMMIT fails is rerun member by member: only the faulty member fails', async () => {
    const results = await Promise.allSettled([
      store.transaction((tx) => tx.sql('INSERT INTO gc_parent (id) VALUES ($1)', ['p1'])),
      // The deferred foreign key is checked only at COMMIT: it fails the whole group's commit.
      store.transaction((tx) => tx.sql('INSERT INTO gc_child (id, parent) VALUES ($1, $2)', ['orphan', 'missing'])),
      store.transaction((tx) => tx.sql('INSERT INTO gc_child (id, parent) VALUES ($1, $2)', ['c1', 'p1'])),
    ]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[1].status, 'rejected');
    assert.equal((results[1] as PromiseRejectedResult).reason.code, 'SQLITE_CONSTRAINT_FOREIGNKEY');
    assert.equal(results[2].status, 'fulfilled');
    assert.deepEqual(await store.sql('SELECT id FROM gc_parent ORDER BY id'), [{ id: 'p1' }]);
    assert.deepEqual(await store.sql('SELECT id, parent FROM gc_child ORDER BY id'), [{ id: 'c1', parent: 'p1' }]);
  });

  test('statements outside transactions wait for the group and never see its uncommitted writes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writing = store.transaction(async (tx) => {
      await tx.put(key('pending'), 'uncommitted');
      await gate;
      throw new Error('rolled back');
    });
    const reading = store.get(key('pending'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await assert.rejects(writing, { message: 'rolled back' });
    assert.equal(await reading, undefined);
  });

  test('transactions queued on a closed store fail with StoreUnavailableError', async () => {
    const other = await openStore({ kind: 'sqlite', file: join(dir, 'closing.db') });
    const closing = other.close();
    await assert.rejects(
      other.transaction((tx) => tx.put(key('late'), 1)),
      { name: 'StoreUnavailableError', message: 'The store is closed' },
    );
    await closing;
  });
});
