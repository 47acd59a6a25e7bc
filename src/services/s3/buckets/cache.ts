/**
 * Bucket records, cached per store (src/store/record-cache.ts says how the cache stays coherent).
 * Every object request needs its bucket's record twice (the authorizer for the region check, the
 * owner and the policy; the handler for versioning and the data key), and reading it means waiting
 * for the store's connection (behind a running group commit, on SQLite) and parsing its JSON: more
 * than the rest of a small GetObject's own work. Every write of a bucket record (CreateBucket,
 * DeleteBucket and updateBucket, through which every configuration changes) calls `forgetBucket`
 * once the write has ended. Changes go through updateBucket, which reads the stored document afresh.
 */
import { createRecordCache } from '../../../store/record-cache.ts';
import type { Store } from '../../../store/types.ts';
import type { BucketRecord } from './record.ts';

/** How long another process's change to a bucket may go unseen here (S3 documents bucket configuration as eventually consistent too). */
export const BUCKET_CACHE_MAX_AGE_MS = 1000;

const buckets = createRecordCache<BucketRecord>({ maxAgeMs: BUCKET_CACHE_MAX_AGE_MS, maxEntries: 10_000 });

/** The cached record if fresh, else `read()`'s answer (cached when the bucket exists). Frozen. */
export function cachedBucket(store: Store, name: string, read: () => Promise<BucketRecord | undefined>): Promise<BucketRecord | undefined> {
  return buckets.get(store, name, read);
}

/** Drops a bucket's cached record: call once a write of it has ended (succeeded or not). */
export function forgetBucket(store: Store, name: string): void {
  buckets.forget(store, name);
}
