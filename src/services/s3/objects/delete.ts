/**
 * DeleteObject and DeleteObjects under versioning: without a version id an unversioned bucket
 * removes the object, a versioned one adds a delete marker, a suspended one replaces the null
 * version with a null delete marker; with a version id that version goes for good.
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../../../core/context.ts';
import { AwsError, toAwsError } from '../../../core/errors.ts';
import type { S3Handlers } from '../../../generated/s3/handlers.ts';
import type { DeletedObject, DeleteObjectOutput, ErrorShape } from '../../../generated/s3/types.ts';
import { malformedXml } from '../../../protocols/rest-xml.ts';
import { computeChecksum } from '../../../auth/checksums.ts';
import type { BucketRecord } from '../buckets/record.ts';
import { requireBucket } from '../buckets/record.ts';
import { badChecksum, badDigestMd5, invalidRequest, noSuchKey, preconditionFailed } from './errors.ts';
import { checkVersionId } from './lookup.ts';
import { etagMatches } from './put.ts';
import { hasherAlgorithm } from './record.ts';
import { CHECKSUM_ALGORITHMS, contentMd5Of } from './upload.ts';
import { deleteCurrentObject, deleteObjectVersionPermanently, loadObjectVersion } from './versions.ts';

const MAX_KEYS_PER_DELETE = 1000;

interface DeleteOutcome {
  deleteMarker?: boolean;
  /** The version removed (with a version id) or the delete marker written (without). */
  versionId?: string;
}

async function deleteOne(ctx: RequestContext, bucket: BucketRecord, key: string, versionId: string | undefined): Promise<DeleteOutcome> {
  if (versionId !== undefined) {
    checkVersionId(versionId);
    const removed = await deleteObjectVersionPermanently(ctx, bucket.name, key, versionId);
    return removed?.isDeleteMarker ? { deleteMarker: true, versionId } : { versionId };
  }
  const marker = await deleteCurrentObject(ctx, bucket, key);
  return marker ? { deleteMarker: true, versionId: marker.versionId } : {};
}

/** DeleteObjects needs Content-MD5 or a flexible checksum (x-amz-checksum-* header or trailer) of its body, and checks it. */
function checkDeleteBodyIntegrity(ctx: RequestContext, contentMd5: string | undefined): void {
  const { body, headers } = ctx.request;
  const md5 = contentMd5Of(contentMd5);
  const withValue = CHECKSUM_ALGORITHMS.find((a) => headers[`x-amz-checksum-${a.toLowerCase()}`] !== undefined);
  const trailer = (headers['x-amz-trailer'] ?? '').toLowerCase().includes('x-amz-checksum-');
  if (!md5 && !withValue && !trailer) throw invalidRequest('Missing required header for this request: Content-MD5 OR x-amz-checksum-*');
  if (md5 && body.length > 0 && !createHash('md5').update(body).digest().equals(md5)) throw badDigestMd5();
  if (withValue && body.length > 0 && computeChecksum(hasherAlgorithm(withValue), body) !== headers[`x-amz-checksum-${withValue.toLowerCase()}`]) {
    throw badChecksum(withValue);
  }
}

export const deleteHandlers: Pick<S3Handlers, 'DeleteObject' | 'DeleteObjects'> = {
  async DeleteObject(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket);
    if (input.IfMatch !== undefined) {
      const current = await loadObjectVersion(ctx, bucket.name, input.Key, input.VersionId);
      if (!current || current.isDeleteMarker) throw noSuchKey(input.Key);
      if (!etagMatches(input.IfMatch, current.etag)) throw preconditionFailed('If-Match');
    }
    const outcome = await deleteOne(ctx, bucket, input.Key, input.VersionId);
    const out: DeleteObjectOutput = {};
    if (outcome.deleteMarker) out.DeleteMarker = true;
    if (outcome.versionId !== undefined) out.VersionId = outcome.versionId;
    return out;
  },

  async DeleteObjects(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket);
    const objects = input.Delete?.Objects ?? [];
    if (objects.length === 0 || objects.length > MAX_KEYS_PER_DELETE) throw malformedXml();
    checkDeleteBodyIntegrity(ctx, ctx.request.headers['content-md5']);
    const deleted: DeletedObject[] = [];
    const errors: ErrorShape[] = [];
    for (const { Key, VersionId } of objects) {
      try {
        const outcome = await deleteOne(ctx, bucket, Key, VersionId);
        const entry: DeletedObject = { Key };
        if (VersionId !== undefined) entry.VersionId = VersionId;
        if (outcome.deleteMarker) {
          entry.DeleteMarker = true;
          entry.DeleteMarkerVersionId = outcome.versionId;
        }
        deleted.push(entry);
      } catch (err) {
        const { error } = toAwsError(err);
        if (!(err instanceof AwsError)) ctx.log.error({ err }, 'DeleteObjects entry failed');
        errors.push({ Key, ...(VersionId !== undefined ? { VersionId } : {}), Code: error.code, Message: error.message });
      }
    }
    return { ...(input.Delete.Quiet ? {} : deleted.length ? { Deleted: deleted } : {}), ...(errors.length ? { Errors: errors } : {}) };
  },
};
