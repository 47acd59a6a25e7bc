/**
 * The behaviour every Store back end must share. sqlite.test.ts and postgres.test.ts each call
 * defineStoreConformance() with a way to open stores on one fresh database; the tests share that
 * database and keep apart by using their own account ids and table names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { StoreConflictError, StoreUnavailableError, type DocKey, type Migration, type Store, type StoredDoc } from '../../../src/store/index.ts';

export interface StoreTarget {
  /** Opens another Store on the same database. */
  open(options?: { now?: () => Date }): Promise<Store>;
  teardown(): Promise<void>;
}

/** A clock the tests set by hand, so createdAt/updatedAt are exact. */
function manualClock(startMs: number) {
  let ms = startMs;
  return { now: () => new Date(ms), set: (value: number) => void (ms = value) };
}

let accountCounter = 0;
/** A fresh 12-digit account per test keeps documents of different tests apart. */
function freshAccount(): string {
  accountCounter += 1;
  return String(100000000000 + accountCounter);
}

let tableCounter = 0;
function freshName(base: string): string {
  tableCounter += 1;
  return `${base}_${tableCounter}`;
}

function byUtf8Bytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Resolves after a few turns of the event loop, giving concurrent work a chance to run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

export function defineStoreConformance(backend: string, setup: () => Promise<StoreTarget>): void {
  describe(`Store conformance: ${backend}`, () => {
    let target: StoreTarget;
    let store: Store;
    const clock = manualClock(Date.UTC(2024, 0, 1));

    before(async () => {
      target = await setup();
      store = await target.open({ now: clock.now });
    });
    after(async () => {
      await store?.close();
      await target?.teardown();
    });

    const keyIn = (account: string, id: string, overrides: Partial<DocKey> = {}): DocKey => ({
      kind: 'widget',
      account,
      region: 'us-east-1',
      id,
      ...overrides,
    });

    describe('documents', () => {
      test('put creates version 1 with equal timestamps, and get returns the same', async () => {
        const key = keyIn(freshAccount(), 'w-1');
        clock.set(Date.UTC(2024, 0, 1, 10));
        const put = await store.put(key, { name: 'first', size: 3, tags: ['a', 'b'] });
        const expected: StoredDoc<unknown> = {
          key,
          version: 1,
          value: { name: 'first', size: 3, tags: ['a', 'b'] },
          createdAt: new Date(Date.UTC(2024, 0, 1, 10)),
          updatedAt: new Date(Date.UTC(2024, 0, 1, 10)),
        };
        assert.deepEqual(put, expected);
        assert.deepEqual(await store.get(key), expected);
      });

      test('put on an existing document bumps the version, keeps createdAt and moves updatedAt', async () => {
        const key = keyIn(freshAccount(), 'w-1');
        clock.set(Date.UTC(2024, 1, 1));
        await store.put(key, { n: 1 });
        clock.set(Date.UTC(2024, 1, 2));
        await store.put(key, { n: 2 });
        clock.set(Date.UTC(2024, 1, 3));
        const third = await store.put(key, { n: 3 });
        const expected = {
          key,
          version: 3,
          value: { n: 3 },
          createdAt: new Date(Date.UTC(2024, 1, 1)),
          updatedAt: new Date(Date.UTC(2024, 1, 3)),
        };
        assert.deepEqual(third, expected);
        assert.deepEqual(await store.get(key), expected);
      });

      test('get of a missing document is undefined', async () => {
        assert.equal(await store.get(keyIn(freshAccount(), 'nope')), undefined);
      });

      test('kind, account, region and id each keep documents apart; region "" is global', async () => {
        const account = freshAccount();
        const other = freshAccount();
        const keys: [DocKey, string][] = [
          [keyIn(account, 'same'), 'base'],
          [keyIn(account, 'same', { kind: 'gadget' }), 'other kind'],
          [keyIn(other, 'same'), 'other account'],
          [keyIn(account, 'same', { region: 'eu-west-1' }), 'other region'],
          [keyIn(account, 'same', { region: '' }), 'global'],
        ];
        for (const [key, value] of keys) await store.put(key, value);
        for (const [key, value] of keys) assert.equal((await store.get<string>(key))?.value, value);
        const global = await store.list<string>({ kind: 'widget', account, region: '' });
        assert.deepEqual(global.map((d) => [d.key, d.value]), [[keyIn(account, 'same', { region: '' }), 'global']]);
      });

      test('delete returns true, then false; a document put after delete starts again at version 1', async () => {
        const key = keyIn(freshAccount(), 'gone');
        await store.put(key, 'a');
        await store.put(key, 'b');
        assert.equal(await store.delete(key), true);
        assert.equal(await store.get(key), undefined);
        assert.equal(await store.delete(key), false);
        const again = await store.put(key, 'c');
        assert.equal(again.version, 1);
      });

      test('JSON values of every type round-trip; Dates become ISO strings as in JSON', async () => {
        const account = freshAccount();
        const values: [string, unknown, unknown][] = [
          ['null', null, null],
          ['true', true, true],
          ['zero', 0, 0],
          ['float', -1.5e-7, -1.5e-7],
          ['big', 9007199254740991, 9007199254740991],
          ['string', 'plain', 'plain'],
          ['empty-array', [], []],
          ['empty-object', {}, {}],
          ['nested', { a: [1, { b: [null, 'x'] }], c: { d: { e: false } } }, { a: [1, { b: [null, 'x'] }], c: { d: { e: false } } }],
          ['date', { at: new Date(0), skip: undefined }, { at: '1970-01-01T00:00:00.000Z' }],
        ];
        for (const [id, value, expected] of values) {
          const put = await store.put(keyIn(account, id), value);
          assert.deepEqual(put.value, expected, `put ${id}`);
          assert.deepEqual((await store.get(keyIn(account, id)))?.value, expected, `get ${id}`);
        }
      });

      test('put refuses a value JSON cannot represent', async () => {
        await assert.rejects(store.put(keyIn(freshAccount(), 'u'), undefined), {
          name: 'TypeError',
          message: 'document value must be JSON-serializable (got undefined or a function)',
        });
      });

      test('unicode survives in ids and values exactly', async () => {
        const account = freshAccount();
        const id = 'ключ/日本語/😀/e\u0301';
        const value = {
          emoji: '😀👩‍👩‍👧‍👦🏳️‍🌈',
          cjk: '漢字かなカナ한국어',
          rtl: 'עברית العربية',
          combining: 'e\u0301 vs \u00e9',
          separators: 'line\u2028para\u2029tab\tnl\n',
          escapes: 'quote " backslash \\ apostrophe \' dollar $1',
          'клю́ч': 'key in Cyrillic',
        };
        await store.put(keyIn(account, id), value);
        const got = await store.get<typeof value>(keyIn(account, id));
        assert.deepEqual(got?.value, value);
        assert.equal(got?.key.id, id);
        const listed = await store.list({ kind: 'widget', account, region: 'us-east-1' });
        assert.deepEqual(listed.map((d) => d.key.id), [id]);
      });

      test('object key order and the JSON text survive exactly (PostgreSQL stores json, not jsonb)', async () => {
        const value = { zeta: 1, b: { y: 2, a: 3 }, long_key_first: [1, { k2: 0, k1: 0 }], a: 'x' };
        const key = keyIn(freshAccount(), 'key-order');
        await store.put(key, value);
        const got = await store.get(key);
        assert.equal(JSON.stringify(got!.value), JSON.stringify(value));
      });

      test('a 1 MB value round-trips exactly', async () => {
        const key = keyIn(freshAccount(), 'large');
        const chunk = 'Bonsai ✓ 盆栽 ';
        const blob = chunk.repeat(Math.ceil((1024 * 1024) / chunk.length)).slice(0, 1024 * 1024);
        const value = { blob, rows: Array.from({ length: 2000 }, (_, i) => ({ i, s: `row-${i}` })) };
        assert.equal(blob.length, 1024 * 1024);
        await store.put(key, value);
        const got = await store.get<typeof value>(key);
        assert.equal(got?.value.blob, blob);
        assert.deepEqual(got?.value, value);
        const [listed] = await store.list<typeof value>({ kind: 'widget', account: key.account, region: key.region });
        assert.equal(listed?.value.blob.length, 1024 * 1024);
      });

      test('keys are checked', async () => {
        await assert.rejects(store.get({ kind: 'widget', account: '1', region: 'r', id: '' }), {
          name: 'TypeError',
          message: 'document key kind and id must not be empty',
        });
        await assert.rejects(store.get({ kind: 'widget', account: '1', region: undefined, id: 'x' } as unknown as DocKey), {
          name: 'TypeError',
          message: 'document key region must be a string',
        });
      });
    });

    describe('optimistic concurrency', () => {
      test("expectVersion 'absent' creates only", async () => {
        const key = keyIn(freshAccount(), 'once');
        const created = await store.put(key, 'first', { expectVersion: 'absent' });
        assert.equal(created.version, 1);
        const err = await store.put(key, 'second', { expectVersion: 'absent' }).then(
          () => assert.fail('expected a conflict'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof StoreConflictError);
        assert.equal(err.message, `Version conflict on widget ${key.account}/us-east-1/once: expected absent, found 1`);
        assert.deepEqual([err.key, err.expected, err.actual], [key, 'absent', 1]);
        assert.equal((await store.get(key))?.value, 'first');
      });

      test('expectVersion n writes only at version n', async () => {
        const key = keyIn(freshAccount(), 'cas');
        await store.put(key, 'v1');
        assert.equal((await store.put(key, 'v2', { expectVersion: 1 })).version, 2);
        await assert.rejects(store.put(key, 'stale', { expectVersion: 1 }), {
          name: 'StoreConflictError',
          message: `Version conflict on widget ${key.account}/us-east-1/cas: expected 1, found 2`,
          expected: 1,
          actual: 2,
        });
        const missing = keyIn(key.account, 'missing');
        await assert.rejects(store.put(missing, 'x', { expectVersion: 5 }), {
          name: 'StoreConflictError',
          message: `Version conflict on widget ${key.account}/us-east-1/missing: expected 5, found absent`,
          actual: 'absent',
        });
        assert.deepEqual([(await store.get(key))?.value, await store.get(missing)], ['v2', undefined]);
        await assert.rejects(store.put(key, 'x', { expectVersion: 0 }), {
          name: 'RangeError',
          message: "expectVersion must be a positive integer or 'absent', got 0",
        });
      });

      test('delete with expectVersion deletes only at that version', async () => {
        const key = keyIn(freshAccount(), 'del');
        await store.put(key, 'v1');
        await store.put(key, 'v2');
        await assert.rejects(store.delete(key, { expectVersion: 1 }), {
          name: 'StoreConflictError',
          message: `Version conflict on widget ${key.account}/us-east-1/del: expected 1, found 2`,
        });
        assert.equal((await store.get(key))?.version, 2);
        assert.equal(await store.delete(key, { expectVersion: 2 }), true);
        await assert.rejects(store.delete(key, { expectVersion: 2 }), {
          name: 'StoreConflictError',
          message: `Version conflict on widget ${key.account}/us-east-1/del: expected 2, found absent`,
        });
      });

      test('of ten concurrent conditional puts on one version exactly one wins', async () => {
        const key = keyIn(freshAccount(), 'race');
        await store.put(key, { winner: -1 });
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => store.put(key, { winner: i }, { expectVersion: 1 })),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.equal(lost.length, 9);
        for (const r of lost) assert.ok(r.reason instanceof StoreConflictError);
        const final = await store.get<{ winner: number }>(key);
        assert.equal(final?.version, 2);
        assert.deepEqual(final?.value, (won[0] as PromiseFulfilledResult<StoredDoc<unknown>>).value.value);
      });
    });

    describe('list', () => {
      const ids = ['b', 'a', 'B', 'a/b', 'a0', 'aa', 'é', '日本', 'Z', 'a%', 'a_', '😀', '\uFFFD', '~', 'z\u{10FFFF}', 'z\u{10FFFF}x', '{'];
      let account: string;

      before(async () => {
        account = freshAccount();
        // Written in a scrambled order so that insertion order cannot pass for id order.
        for (const id of [...ids].sort((x, y) => (x.length * 7 + x.charCodeAt(0)) % 5 - (y.length * 7 + y.charCodeAt(0)) % 5)) {
          await store.put(keyIn(account, id), { id });
        }
        await store.put(keyIn(account, 'elsewhere', { region: 'eu-west-1' }), { id: 'elsewhere' });
      });

      const listIds = async (q: { prefix?: string; after?: string; limit?: number } = {}) =>
        (await store.list<{ id: string }>({ kind: 'widget', account, region: 'us-east-1', ...q })).map((d) => d.key.id);

      test('orders by id in UTF-8 byte order (not UTF-16, not locale)', async () => {
        const expected = [...ids].sort(byUtf8Bytes);
        assert.deepEqual(await listIds(), expected);
        // The case that tells UTF-8 byte order from JS string order: U+FFFD sorts before an emoji.
        assert.ok(expected.indexOf('\uFFFD') < expected.indexOf('😀'));
      });

      test('prefix is literal and case-sensitive', async () => {
        assert.deepEqual(await listIds({ prefix: 'a' }), ['a', 'a%', 'a/b', 'a0', 'a_', 'aa']);
        assert.deepEqual(await listIds({ prefix: 'a%' }), ['a%']);
        assert.deepEqual(await listIds({ prefix: 'a_' }), ['a_']);
        assert.deepEqual(await listIds({ prefix: 'A' }), []);
        assert.deepEqual(await listIds({ prefix: '日' }), ['日本']);
        assert.deepEqual(await listIds({ prefix: 'z\u{10FFFF}' }), ['z\u{10FFFF}', 'z\u{10FFFF}x']);
        assert.deepEqual(await listIds({ prefix: 'a', after: 'a0', limit: 2 }), ['a_', 'aa']);
      });

      test('after and limit page through every document exactly once', async () => {
        const pages: string[][] = [];
        let after: string | undefined;
        for (;;) {
          const page = await listIds({ after, limit: 4 });
          if (page.length === 0) break;
          pages.push(page);
          after = page[page.length - 1];
        }
        assert.deepEqual(pages.map((p) => p.length), [4, 4, 4, 4, 1]);
        assert.deepEqual(pages.flat(), [...ids].sort(byUtf8Bytes));
        assert.deepEqual(await listIds({ limit: 0 }), []);
        await assert.rejects(listIds({ limit: -1 }), { name: 'RangeError', message: 'list: limit must be a non-negative integer, got -1' });
      });

      test('returns whole documents', async () => {
        const [first] = await store.list<{ id: string }>({ kind: 'widget', account, region: 'eu-west-1' });
        assert.equal(first?.version, 1);
        assert.deepEqual(first?.value, { id: 'elsewhere' });
        assert.deepEqual(first?.key, keyIn(account, 'elsewhere', { region: 'eu-west-1' }));
      });
    });

    describe('transactions', () => {
      test('commit: every write becomes visible, and the function result is returned', async () => {
        const account = freshAccount();
        const result = await store.transaction(async (tx) => {
          await tx.put(keyIn(account, 'a'), 1);
          await tx.put(keyIn(account, 'b'), 2);
          assert.equal((await tx.get(keyIn(account, 'a')))?.value, 1, 'a transaction reads its own writes');
          return 'done';
        });
        assert.equal(result, 'done');
        assert.deepEqual((await store.list({ kind: 'widget', account, region: 'us-east-1' })).map((d) => d.value), [1, 2]);
      });

      test('a throw rolls back every write and rethrows the same error', async () => {
        const account = freshAccount();
        await store.put(keyIn(account, 'kept'), 'original');
        const boom = new Error('boom');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.put(keyIn(account, 'kept'), 'changed');
            await tx.put(keyIn(account, 'new'), 'new');
            await tx.delete(keyIn(account, 'kept'));
            throw boom;
          }),
          (err) => err === boom,
        );
        const kept = await store.get(keyIn(account, 'kept'));
        assert.deepEqual([kept?.value, kept?.version], ['original', 1]);
        assert.equal(await store.get(keyIn(account, 'new')), undefined);
      });

      test('a conflict inside a transaction rejects it and rolls it back', async () => {
        const account = freshAccount();
        await store.put(keyIn(account, 'b'), 'v1');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.put(keyIn(account, 'a'), 'written first');
            await tx.put(keyIn(account, 'b'), 'v2', { expectVersion: 7 });
          }),
          { name: 'StoreConflictError', expected: 7, actual: 1 },
        );
        assert.equal(await store.get(keyIn(account, 'a')), undefined);
      });

      test('no one outside sees a write that is later rolled back', async () => {
        const key = keyIn(freshAccount(), 'dirty');
        let signalInside!: () => void;
        const inside = new Promise<void>((resolve) => (signalInside = resolve));
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const running = store.transaction(async (tx) => {
          await tx.put(key, 'uncommitted');
          signalInside();
          await gate;
          throw new Error('roll back');
        });
        await inside;
        const outsideRead = store.get(key); // SQLite: waits for the transaction; PostgreSQL: reads the committed state
        await settle();
        release();
        await assert.rejects(running, { message: 'roll back' });
        assert.equal(await outsideRead, undefined);
        assert.equal(await store.get(key), undefined);
      });

      test('20 concurrent read-modify-write transactions on one key add exactly 20', async () => {
        const key = keyIn(freshAccount(), 'counter');
        await store.put(key, { n: 0 });
        await Promise.all(
          Array.from({ length: 20 }, () =>
            store.transaction(async (tx) => {
              const doc = await tx.get<{ n: number }>(key);
              await settle(); // widen the window in which the others read the same value
              await tx.put(key, { n: doc!.value.n + 1 });
            }),
          ),
        );
        const final = await store.get<{ n: number }>(key);
        assert.deepEqual([final?.value.n, final?.version], [20, 21]);
      });

      test('writes outside transactions interleave safely with transactions', async () => {
        const account = freshAccount();
        await Promise.all([
          ...Array.from({ length: 10 }, (_, i) =>
            store.transaction(async (tx) => {
              await tx.put(keyIn(account, `tx-${i}`), i);
              await settle();
            }),
          ),
          ...Array.from({ length: 10 }, (_, i) => store.put(keyIn(account, `plain-${i}`), i)),
        ]);
        assert.equal((await store.list({ kind: 'widget', account, region: 'us-east-1' })).length, 20);
      });

      test('using the store instead of tx inside a transaction fails fast', async () => {
        const key = keyIn(freshAccount(), 'misuse');
        await assert.rejects(
          store.transaction(async () => {
            await store.get(key);
          }),
          { message: 'store.get() was called inside store.transaction(); use the transaction handle (tx.get) instead' },
        );
        await assert.rejects(
          store.transaction(() => store.transaction(async () => 1)),
          { message: 'store.transaction() was called inside store.transaction(); use the transaction handle (tx.transaction) instead' },
        );
      });

      test('a transaction handle is dead once its transaction has ended', async () => {
        const key = keyIn(freshAccount(), 'late');
        const leaked = await store.transaction(async (tx) => tx);
        await assert.rejects(leaked.put(key, 1), { message: 'tx.put() was called after its transaction ended' });
        assert.equal(await store.get(key), undefined);
      });

      test('sql() inside a transaction commits and rolls back with it', async () => {
        const table = freshName('tx_rows');
        await store.migrate(`conformance.${table}`, [{ id: 1, name: 'create', sql: `CREATE TABLE ${table} (k TEXT PRIMARY KEY)` }]);
        await store.transaction((tx) => tx.sql(`INSERT INTO ${table} (k) VALUES ($1)`, ['kept']));
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.sql(`INSERT INTO ${table} (k) VALUES ($1)`, ['dropped']);
            throw new Error('undo');
          }),
          { message: 'undo' },
        );
        assert.deepEqual(await store.sql(`SELECT k FROM ${table} ORDER BY k`), [{ k: 'kept' }]);
      });
    });

    describe('migrations', () => {
      /** Each insert records how many rows existed before it: the order the migrations ran in. */
      const orderMigrations = (table: string): Migration[] => [
        { id: 3, name: 'third', sql: `INSERT INTO ${table} (n, seq) SELECT 3, count(*) FROM ${table}` },
        { id: 1, name: 'create', sql: `CREATE TABLE ${table} (n INTEGER NOT NULL, seq INTEGER NOT NULL)` },
        { id: 2, name: 'second', sql: `INSERT INTO ${table} (n, seq) SELECT 2, count(*) FROM ${table}` },
      ];

      test('apply in id order, once, also across store instances; later ones apply alone', async () => {
        const table = freshName('mig_order');
        const owner = `conformance.${table}`;
        await store.migrate(owner, orderMigrations(table));
        const rows = `SELECT n, seq FROM ${table} ORDER BY seq`;
        assert.deepEqual(await store.sql(rows), [
          { n: 2, seq: 0 },
          { n: 3, seq: 1 },
        ]);
        await store.migrate(owner, orderMigrations(table));
        const second = await target.open();
        try {
          await second.migrate(owner, orderMigrations(table));
          await second.migrate(owner, [
            ...orderMigrations(table),
            { id: 4, name: 'fourth', sql: `INSERT INTO ${table} (n, seq) SELECT 4, count(*) FROM ${table}` },
          ]);
        } finally {
          await second.close();
        }
        assert.deepEqual(await store.sql(rows), [
          { n: 2, seq: 0 },
          { n: 3, seq: 1 },
          { n: 4, seq: 2 },
        ]);
      });

      test('concurrent migrate calls apply each migration once', async () => {
        const table = freshName('mig_concurrent');
        const owner = `conformance.${table}`;
        const second = await target.open();
        try {
          await Promise.all([store.migrate(owner, orderMigrations(table)), second.migrate(owner, orderMigrations(table))]);
        } finally {
          await second.close();
        }
        assert.deepEqual(await store.sql(`SELECT n FROM ${table} ORDER BY seq`), [{ n: 2 }, { n: 3 }]);
      });

      test('a failing migration is rolled back and not recorded; the earlier ones stay', async () => {
        const table = freshName('mig_fail');
        const owner = `conformance.${table}`;
        const create: Migration = { id: 1, name: 'create', sql: `CREATE TABLE ${table} (n INTEGER NOT NULL)` };
        const broken: Migration = {
          id: 2,
          name: 'insert rows',
          sql: `INSERT INTO ${table} (n) VALUES (1); INSERT INTO no_such_table_${table} (n) VALUES (2)`,
        };
        await assert.rejects(store.migrate(owner, [create, broken]), (err: Error) => {
          assert.match(err.message, new RegExp(`^Migration ${owner.replace('.', '\\.')}#2 \\(insert rows\\) failed: .*no_such_table_${table}`));
          return true;
        });
        assert.deepEqual(await store.sql(`SELECT n FROM ${table}`), []);
        const fixed: Migration = { ...broken, sql: `INSERT INTO ${table} (n) VALUES (1); INSERT INTO ${table} (n) VALUES (2)` };
        await store.migrate(owner, [create, fixed]);
        assert.deepEqual(await store.sql(`SELECT n FROM ${table} ORDER BY n`), [{ n: 1 }, { n: 2 }]);
      });

      test('a per-dialect script runs the one for this back end', async () => {
        const table = freshName('mig_dialect');
        await store.migrate(`conformance.${table}`, [
          {
            id: 1,
            name: 'create',
            sql: {
              sqlite: `CREATE TABLE ${table} (which TEXT); INSERT INTO ${table} VALUES ('sqlite')`,
              postgres: `CREATE TABLE ${table} (which text); INSERT INTO ${table} VALUES ('postgres')`,
            },
          },
        ]);
        assert.deepEqual(await store.sql(`SELECT which FROM ${table}`), [{ which: store.dialect }]);
      });

      test('owners number their migrations independently', async () => {
        const a = freshName('mig_owner_a');
        const b = freshName('mig_owner_b');
        await store.migrate(`conformance.${a}`, [{ id: 1, name: 'create', sql: `CREATE TABLE ${a} (x INTEGER)` }]);
        await store.migrate(`conformance.${b}`, [{ id: 1, name: 'create', sql: `CREATE TABLE ${b} (x INTEGER)` }]);
        assert.deepEqual([await store.sql(`SELECT x FROM ${a}`), await store.sql(`SELECT x FROM ${b}`)], [[], []]);
      });

      test('bad migration lists are refused before anything runs', async () => {
        const owner = `conformance.${freshName('mig_bad')}`;
        const m = (id: number, name = `m${id}`): Migration => ({ id, name, sql: 'SELECT 1' });
        await assert.rejects(store.migrate(owner, [m(1), m(1)]), { name: 'RangeError', message: `Migration ${owner}#1: id is used twice` });
        await assert.rejects(store.migrate(owner, [m(0)]), { name: 'RangeError', message: `Migration ${owner}#0: id must be a positive integer` });
        await assert.rejects(store.migrate('', [m(1)]), { name: 'TypeError', message: 'migrate: owner must be a non-empty string' });
        await store.migrate(owner, [m(1, 'original')]);
        await assert.rejects(store.migrate(owner, [m(1, 'renamed')]), {
          message: `Migration ${owner}#1 was applied as 'original' but is now named 'renamed'`,
        });
      });
    });

    describe('sql()', () => {
      let table: string;
      before(async () => {
        table = freshName('kv');
        await store.migrate(`conformance.${table}`, [
          { id: 1, name: 'create', sql: `CREATE TABLE ${table} (k TEXT PRIMARY KEY, v INTEGER NOT NULL, note TEXT)` },
        ]);
      });

      test('binds $n placeholders, including one used twice, and returns RETURNING rows', async () => {
        const inserted = await store.sql(`INSERT INTO ${table} (k, v, note) VALUES ($1, $2, $3) RETURNING k, v`, ['one', 1, 'first']);
        assert.deepEqual(inserted, [{ k: 'one', v: 1 }]);
        assert.deepEqual(await store.sql(`INSERT INTO ${table} (k, v, note) VALUES ($1, $2, $1)`, ['two', 2]), []);
        assert.deepEqual(await store.sql(`SELECT k, v, note FROM ${table} WHERE k = $1 OR note = $1 ORDER BY k`, ['two']), [
          { k: 'two', v: 2, note: 'two' },
        ]);
        assert.deepEqual(await store.sql(`UPDATE ${table} SET v = v + $1 WHERE k = $2`, [10, 'one']), []);
        assert.deepEqual(await store.sql<{ v: number }>(`SELECT v FROM ${table} WHERE k = $1`, ['one']), [{ v: 11 }]);
      });

      test('$n inside string literals, quoted names and comments is left alone', async () => {
        await store.sql(`INSERT INTO ${table} (k, v, note) VALUES ($1, $2, '$1 literal')`, ['dollar', 3]);
        const rows = await store.sql(
          `SELECT k AS "$1", note FROM ${table} -- $9 in a comment
           WHERE note = '$1 literal' /* $8 */ AND v = $1`,
          [3],
        );
        assert.deepEqual(rows, [{ $1: 'dollar', note: '$1 literal' }]);
      });

      test('unicode and NULL round-trip through parameters', async () => {
        const note = '盆栽 😀 e\u0301 ¡hola! \u2028';
        await store.sql(`INSERT INTO ${table} (k, v, note) VALUES ($1, $2, $3)`, ['unicode', 4, note]);
        await store.sql(`INSERT INTO ${table} (k, v, note) VALUES ($1, $2, $3)`, ['null', 5, null]);
        assert.deepEqual(await store.sql(`SELECT k, note FROM ${table} WHERE k IN ($1, $2) ORDER BY v`, ['unicode', 'null']), [
          { k: 'unicode', note },
          { k: 'null', note: null },
        ]);
      });

      test('a parameter count that does not match the placeholders is refused', async () => {
        await assert.rejects(store.sql(`SELECT k FROM ${table} WHERE k = $1`, ['a', 'b']), Error);
        await assert.rejects(store.sql(`SELECT k FROM ${table} WHERE k = $1`, []), Error);
      });
    });

    describe('lifecycle', () => {
      test('a closed store refuses work with StoreUnavailableError', async () => {
        const other = await target.open();
        await other.close();
        await other.close(); // closing twice is harmless
        await assert.rejects(other.get(keyIn(freshAccount(), 'x')), (err: unknown) => {
          assert.ok(err instanceof StoreUnavailableError);
          assert.equal(err.message, 'The store is closed');
          return true;
        });
        await assert.rejects(other.transaction(async () => 1), StoreUnavailableError);
      });

      test('data written by one store instance is read by another', async () => {
        const key = keyIn(freshAccount(), 'shared');
        await store.put(key, { from: 'first' });
        const other = await target.open();
        try {
          assert.deepEqual((await other.get(key))?.value, { from: 'first' });
        } finally {
          await other.close();
        }
      });
    });
  });
}
