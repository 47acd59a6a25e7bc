/**
 * AbortMultipartUpload, and what the lifecycle sweeper (AbortIncompleteMultipartUpload), DeleteBucket
 * and the start-up orphan collection need from uploads in progress.
 */
import type { RequestContext } from '../../../core/context.ts';
import type { AbortMultipartUploadOutput, AbortMultipartUploadRequest } from '../../../generated/s3/types.ts';
import type { DocOps, Store } from '../../../store/types.ts';
import { blobStoreFor } from '../blobs/index.ts';
import { requireBucket } from '../buckets/record.ts';
import { deleteUpload, listBucketUploads, listUploadsBefore, PARTS_TABLE, readUpload } from './db.ts';
import { preconditionFailed } from '../objects/errors.ts';
import { noSuchUpload } from './errors.ts';

/** What abortUpload needs of a request context: the sweeper runs outside any request. */
export type AbortContext = Pick<RequestContext, 'store' | 'dataDir' | 'log'>;

/**
 * Removes an upload and deletes its parts' blobs (after the rows are gone, so a crash in between
 * leaves orphans for collectOrphanBlobs, never rows without bytes). False when there was no such
 * upload in the bucket.
 */
export async function abortUpload(ctx: AbortContext, bucket: string, uploadId: string): Promise<boolean> {
  const parts = await ctx.store.transaction(async (tx) => {
    const upload = await readUpload(tx, uploadId);
    if (!upload || upload.bucket !== bucket) return undefined;
    return deleteUpload(tx, uploadId);
  });
  if (!parts) return false;
  const blobs = blobStoreFor(ctx.dataDir);
  for (const part of parts) {
    try {
      await blobs.delete(part.blobId);
    } catch (err) {
      ctx.log.warn({ err, blobId: part.blobId }, 'could not delete an aborted part; collectOrphanBlobs will');
    }
  }
  return true;
}

export interface UploadSummary {
  uploadId: string;
  key: string;
  /** ISO-8601, Bonsai's clock. */
  initiated: string;
}

/** The bucket's uploads initiated strictly before `isoTime` (AbortIncompleteMultipartUpload's DaysAfterInitiation). */
export async function listUploadsInitiatedBefore(store: DocOps, bucketName: string, isoTime: string): Promise<UploadSummary[]> {
  const uploads = await listUploadsBefore(store, bucketName, isoTime);
  return uploads.map((u) => ({ uploadId: u.uploadId, key: u.key, initiated: u.initiated }));
}

/**
 * Aborts every upload in the bucket. S3 deletes a bucket that still has uploads in progress (they
 * do not make it "not empty"), so DeleteBucket calls this once the bucket is gone.
 */
export async function abortAllUploads(ctx: AbortContext, bucketName: string): Promise<number> {
  let aborted = 0;
  for (const upload of await listBucketUploads(ctx.store, bucketName)) {
    if (await abortUpload(ctx, bucketName, upload.uploadId)) aborted++;
  }
  return aborted;
}

/** Every blob a part in progress refers to: for collectOrphanBlobs' `alsoReferenced`. */
export async function multipartBlobIds(store: Store): Promise<string[]> {
  const rows = await store.sql<{ blob_id: string }>(`SELECT blob_id FROM ${PARTS_TABLE}`);
  return rows.map((row) => row.blob_id);
}

export async function abortMultipartUpload(input: AbortMultipartUploadRequest, ctx: RequestContext): Promise<AbortMultipartUploadOutput> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  const upload = await readUpload(ctx.store, input.UploadId);
  if (!upload || upload.bucket !== bucket.name || upload.key !== input.Key) throw noSuchUpload(input.UploadId);
  // x-amz-if-match-initiated-time: abort only the upload started at that moment (HTTP dates have seconds).
  if (input.IfMatchInitiatedTime !== undefined) {
    const initiatedSeconds = Math.floor(new Date(upload.initiated).getTime() / 1000);
    if (initiatedSeconds !== Math.floor(input.IfMatchInitiatedTime.getTime() / 1000)) throw preconditionFailed('x-amz-if-match-initiated-time');
  }
  if (!(await abortUpload(ctx, bucket.name, input.UploadId))) throw noSuchUpload(input.UploadId);
  return {};
}
