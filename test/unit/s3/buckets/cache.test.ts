/**
 * The per-store cache of bucket records (src/services/s3/buckets/cache.ts): hits within its age
 * bound, never stale after a write made in this process (forgetBucket, the generation check),
 * a change made elsewhere seen within BUCKET_CACHE_MAX_AGE_MS, missing buckets never cached.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../../../src/store/index.ts';
import { withReadMemo } from '../../../../src/store/read-memo.ts';
import { BUCKET_CACHE_MAX_AGE_MS, cachedBucket, forgetBucket } from '../../../../src/services/s3/buckets/cache.ts';
import { bucketKey, findBucketCached, type BucketRecord } from '../../../../src/services/s3/buckets/record.ts';

function record(name: string, versioning: BucketRecord['versioning'] = 'Unversioned'): BucketRecord {
  return {
    name,
    ownerAccountId: '123456789012',
    region: 'us-east-1',
    createdAt: '2026-11-22T00:00:00.000Z',
    sealedDataKey: 'sealed',
    versioning,
    encryption: { Rules: [] },
    objectOwnership: 'BucketOwnerEnforced',
  };
}

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bonsai-bucket-cache-'));
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'bonsai.db') });
  try {
    await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn` with Date.now() moved `ms` ahead. */
async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => realNow() + ms;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

test('a cached record is served, frozen, to every request view of the same store, without reading it again', async () => {
  await withStore(async (store) => {
    await store.put(bucketKey('b1'), record('b1'));
    const first = await findBucketCached(withReadMemo(store), 'b1');
    assert.equal(first?.versioning, 'Unversioned');
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first!.encryption));
    // Written behind the cache's back (as another process would): not seen yet.
    await store.put(bucketKey('b1'), record('b1', 'Enabled'));
    const second = await findBucketCached(withReadMemo(store), 'b1');
    assert.equal(second, first);
    assert.equal(second?.versioning, 'Unversioned');
  });
});

test(`another process's change is seen once the entry is ${BUCKET_CACHE_MAX_AGE_MS} ms old`, async () => {
  await withStore(async (store) => {
    await store.put(bucketKey('b2'), record('b2'));
    await findBucketCached(store, 'b2');
    await store.put(bucketKey('b2'), record('b2', 'Enabled'));
    assert.equal((await later(BUCKET_CACHE_MAX_AGE_MS - 50, () => findBucketCached(store, 'b2')))?.versioning, 'Unversioned');
    assert.equal((await later(BUCKET_CACHE_MAX_AGE_MS, () => findBucketCached(store, 'b2')))?.versioning, 'Enabled');
  });
});

test('forgetBucket: the next read sees the stored record at once', async () => {
  await withStore(async (store) => {
    await store.put(bucketKey('b3'), record('b3'));
    await findBucketCached(store, 'b3');
    await store.put(bucketKey('b3'), record('b3', 'Suspended'));
    forgetBucket(withReadMemo(store), 'b3'); // through a request's view: the same cache
    assert.equal((await findBucketCached(store, 'b3'))?.versioning, 'Suspended');
  });
});

test('a missing bucket is not cached: one created afterwards is found at once', async () => {
  await withStore(async (store) => {
    assert.equal(await findBucketCached(store, 'b4'), undefined);
    await store.put(bucketKey('b4'), record('b4'));
    assert.equal((await findBucketCached(store, 'b4'))?.name, 'b4');
  });
});

test('a read that began before a forget does not fill the cache with what it read', async () => {
  await withStore(async (store) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowRead = cachedBucket(store, 'b5', async () => {
      await gate;
      return record('b5'); // what it read before the write below
    });
    forgetBucket(store, 'b5'); // a write of b5 ended meanwhile
    release();
    assert.equal((await slowRead)?.versioning, 'Unversioned');
    let reads = 0;
    const next = await cachedBucket(store, 'b5', async () => {
      reads++;
      return record('b5', 'Enabled');
    });
    assert.equal(reads, 1, 'the stale read was not cached');
    assert.equal(next?.versioning, 'Enabled');
  });
});

test('caches are per store: another store does not see this one\'s entries', async () => {
  await withStore(async (one) => {
    await withStore(async (two) => {
      await one.put(bucketKey('b6'), record('b6'));
      await two.put(bucketKey('b6'), record('b6', 'Enabled'));
      assert.equal((await findBucketCached(one, 'b6'))?.versioning, 'Unversioned');
      assert.equal((await findBucketCached(two, 'b6'))?.versioning, 'Enabled');
    });
  });
});
