/**
 * A bucket and everything configured on it, as one store document. Bucket names are global across
 * accounts (as on AWS), so the document key has no account or region: {kind 's3.bucket', id name}.
 * Each part of S3 owns the fields it configures (see the comments) and changes them only through
 * updateBucket(), which retries on a concurrent write.
 */
import { AwsError } from '../../../core/errors.ts';
import type { RequestContext } from '../../../core/context.ts';
import { StoreConflictError } from '../../../store/errors.ts';
import type { DocKey, DocOps, Store, StoredDoc } from '../../../store/types.ts';
import { cachedBucket, forgetBucket } from './cache.ts';
import type { StoredLifecycleConfiguration } from './lifecycle.ts';
import { checkBucketRegion } from './region.ts';

export type VersioningState = 'Unversioned' | 'Enabled' | 'Suspended';
export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface BucketRecord {
  name: string;
  ownerAccountId: string;
  region: string;
  /**
   * The LocationConstraint the bucket was created with, as given ('EU' stays 'EU', as
   * GetBucketLocation answers it); absent for us-east-1 buckets.
   */
  locationConstraint?: string;
  /** ISO-8601, Bonsai's clock. */
  createdAt: string;
  /** AES-256 key for this bucket's SSE-S3 objects, sealed with the SecretBox (never stored in clear). */
  sealedDataKey: string;

  // --- buckets part ---------------------------------------------------------------------------
  versioning: VersioningState;
  mfaDelete?: 'Enabled' | 'Disabled';
  tags?: Array<{ Key: string; Value: string }>;
  /** ServerSideEncryptionConfiguration as the API shapes it; AES256 by default, as on AWS. */
  encryption: { Rules: Array<Record<string, unknown>> };
  objectOwnership: ObjectOwnership;
  /** The API shapes of each configuration, as put (validated), absent when not configured. */
  cors?: Record<string, unknown>;
  /** Validated lifecycle rules (lifecycle.ts); the lifecycle executor reads them from here. */
  lifecycle?: StoredLifecycleConfiguration;
  website?: Record<string, unknown>;
  notification?: Record<string, unknown>;
  objectLockEnabled?: boolean;

  // --- access part ----------------------------------------------------------------------------
  /** Bucket-level Block Public Access; new buckets get all four on, as AWS does since April 2023. */
  publicAccessBlock?: PublicAccessBlock;
  /** The bucket policy text exactly as put. */
  policy?: string;
  /** The bucket ACL grants (only the owner's FULL_CONTROL under BucketOwnerEnforced). */
  acl?: Record<string, unknown>;
  /**
   * True after DeleteBucketOwnershipControls: the bucket then behaves as ObjectWriter and
   * GetBucketOwnershipControls answers OwnershipControlsNotFoundError.
   */
  ownershipControlsDeleted?: boolean;
}

export const BUCKET_KIND = 's3.bucket';

export function bucketKey(name: string): DocKey {
  return { kind: BUCKET_KIND, account: '', region: '', id: name };
}

/** The stored record, read now (for a read-modify-write, or inside a transaction). */
export async function findBucket(store: Pick<DocOps, 'get'>, name: string): Promise<BucketRecord | undefined> {
  return (await store.get<BucketRecord>(bucketKey(name)))?.value;
}

/**
 * The record as requests read it: from the per-store cache (buckets/cache.ts), at most a second
 * old when another process changed it, never stale after a change made in this process. Frozen.
 */
export function findBucketCached(store: Store, name: string): Promise<BucketRecord | undefined> {
  return cachedBucket(store, name, () => findBucket(store, name));
}

export function noSuchBucket(name: string): AwsError {
  return new AwsError('NoSuchBucket', 'The specified bucket does not exist', { status: 404, fields: { BucketName: name } });
}

export interface RequireBucketOptions {
  /** The x-amz-expected-bucket-owner header: a different owner is refused with 403 AccessDenied. */
  expectedBucketOwner?: string;
}

/**
 * The bucket a request names, or NoSuchBucket. A bucket in another region than the one the
 * request was signed for is refused as S3 refuses it (checkBucketRegion: 301 PermanentRedirect
 * and friends, with x-amz-bucket-region so SDKs can follow).
 */
export async function requireBucket(ctx: RequestContext, name: string, options: RequireBucketOptions = {}): Promise<BucketRecord> {
  const bucket = await findBucketCached(ctx.store, name);
  if (!bucket) throw noSuchBucket(name);
  checkBucketRegion(ctx, bucket, ctx.operation);
  checkExpectedBucketOwner(bucket, options.expectedBucketOwner);
  return bucket;
}

/** S3 answers a wrong x-amz-expected-bucket-owner with a plain 403 AccessDenied. */
export function checkExpectedBucketOwner(bucket: BucketRecord, expectedBucketOwner: string | undefined): void {
  if (expectedBucketOwner !== undefined && expectedBucketOwner !== bucket.ownerAccountId) {
    throw new AwsError('AccessDenied', 'Access Denied', { status: 403 });
  }
}

/**
 * Read-modify-write of a bucket document with optimistic concurrency: `change` gets the current
 * record and returns the new one (or throws an AwsError to refuse). Retries when another request
 * changed the bucket in between.
 */
export async function updateBucket(ctx: RequestContext, name: string, change: (bucket: BucketRecord) => BucketRecord): Promise<BucketRecord> {
  for (let attempt = 0; ; attempt++) {
    const doc: StoredDoc<BucketRecord> | undefined = await ctx.store.get<BucketRecord>(bucketKey(name));
    if (!doc) throw noSuchBucket(name);
    const next = change(doc.value);
    try {
      await ctx.store.put(bucketKey(name), next, { expectVersion: doc.version });
      return next;
    } catch (err) {
      if (!(err instanceof StoreConflictError) || attempt >= 10) throw err;
    } finally {
      forgetBucket(ctx.store, name);
    }
  }
}
