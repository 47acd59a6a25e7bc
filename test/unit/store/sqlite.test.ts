import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, StoreUnavailableError } from '../../../src/store/index.ts';
import { toSqlitePlaceholders } from '../../../src/store/sqlite.ts';
import { defineStoreConformance } from './conformance.ts';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bonsai-store-'));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

defineStoreConformance('sqlite', async () => {
  const file = join(tempDir(), 'bonsai.db');
  return {
    open: (options = {}) => openStore({ kind: 'sqlite', file, ...options }),
    teardown: async () => undefined,
  };
});

describe('SQLite back end', () => {
  test('creates the database, -wal and -shm files 0600 (and the folder 0700)', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const file = join(dir, 'bonsai.db');
    const store = await openStore({ kind: 'sqlite', file });
    try {
      await store.put({ kind: 'k', account: 'a', region: '', id: 'x' }, 1);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        assert.equal((statSync(path).mode & 0o777).toString(8), '600', path);
      }
      assert.equal((statSync(dir).mode & 0o777).toString(8), '700');
    } finally {
      await store.close();
    }
  });

  test('runs in WAL mode with synchronous=FULL, foreign keys on and a busy timeout', async () => {
    const store = await openStore({ kind: 'sqlite', file: join(tempDir(), 'pragmas.db') });
    try {
      assert.deepEqual(await store.sql('PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
      assert.deepEqual(await store.sql('PRAGMA synchronous'), [{ synchronous: 2 }]);
      assert.deepEqual(await store.sql('PRAGMA foreign_keys'), [{ foreign_keys: 1 }]);
      assert.deepEqual(await store.sql('PRAGMA busy_timeout'), [{ timeout: 5000 }]);
      assert.equal(store.dialect, 'sqlite');
    } finally {
      await store.close();
    }
  });

  test("synchronous: 'normal' is available for throwaway data", async () => {
    const store = await openStore({ kind: 'sqlite', file: join(tempDir(), 'normal.db'), synchronous: 'normal' });
    try {
      assert.deepEqual(await store.sql('PRAGMA synchronous'), [{ synchronous: 1 }]);
    } finally {
      await store.close();
    }
  });

  test('a database locked by another process past the busy timeout is StoreUnavailableError', async () => {
    const file = join(tempDir(), 'locked.db');
    const store = await openStore({ kind: 'sqlite', file, busyTimeoutMs: 50 });
    const intruder = new Database(file);
    try {
      intruder.exec('BEGIN IMMEDIATE');
      await assert.rejects(store.put({ kind: 'k', account: 'a', region: '', id: 'x' }, 1), (err: unknown) => {
        assert.ok(err instanceof StoreUnavailableError);
        assert.equal(err.message, 'The SQLite database is unavailable: database is locked (SQLITE_BUSY)');
        return true;
      });
      intruder.exec('ROLLBACK');
      assert.equal((await store.put({ kind: 'k', account: 'a', region: '', id: 'x' }, 1)).version, 1);
    } finally {
      intruder.close();
      await store.close();
    }
  });

  test('a file that is not a database is StoreUnavailableError', async () => {
    const file = join(tempDir(), 'garbage.db');
    (await import('node:fs')).writeFileSync(file, 'this is not a database, just some text that is long enough'.repeat(100));
    await assert.rejects(openStore({ kind: 'sqlite', file }), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError);
      assert.match(err.message, /^Cannot open the SQLite database .*garbage\.db: file is not a database \(SQLITE_NOTADB\)$/);
      return true;
    });
  });

  test('foreign keys are enforced in service tables', async () => {
    const store = await openStore({ kind: 'sqlite', file: join(tempDir(), 'fk.db') });
    try {
      await store.migrate('fk', [
        { id: 1, name: 'tables', sql: 'CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id))' },
      ]);
      await assert.rejects(store.sql('INSERT INTO child (p) VALUES ($1)', [42]), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    } finally {
      await store.close();
    }
  });
});

describe('toSqlitePlaceholders', () => {
  test('rewrites $n to named parameters and counts them', () => {
    assert.deepEqual(toSqlitePlaceholders('SELECT * FROM t WHERE a = $1 AND b = $2 OR c = $1'), {
      sql: 'SELECT * FROM t WHERE a = @p1 AND b = @p2 OR c = @p1',
      parameterCount: 2,
    });
    assert.deepEqual(toSqlitePlaceholders('VALUES ($10,$9,$8,$7,$6,$5,$4,$3,$2,$1)').sql, 'VALUES (@p10,@p9,@p8,@p7,@p6,@p5,@p4,@p3,@p2,@p1)');
  });

  test('leaves literals, quoted names, comments and identifiers containing $ alone', () => {
    const text = `SELECT 'it''s $1', "col$2", a$1 -- $3\n, /* $4 */ $1 FROM t`;
    assert.deepEqual(toSqlitePlaceholders(text), {
      sql: `SELECT 'it''s $1', "col$2", a$1 -- $3\n, /* $4 */ @p1 FROM t`,
      parameterCount: 1,
    });
  });

  test('refuses gaps in the numbering, as PostgreSQL does', () => {
    assert.throws(() => toSqlitePlaceholders('SELECT $2'), { name: 'SyntaxError', message: 'SQL uses $2 but not $1: SELECT $2' });
  });
});
