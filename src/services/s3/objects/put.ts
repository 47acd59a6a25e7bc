/**
 * PutObject: the body streams into an encrypted blob while MD5 and the object's checksum are
 * computed; the version is committed under the bucket's versioning state only once the bytes are
 * durable and checked. Conditional writes (If-None-Match: *, If-Match) are judged again inside
 * the committing transaction, so two racing writers cannot both win.
 */
import type { RequestContext } from '../../../core/context.ts';
import { AwsError } from '../../../core/errors.ts';
import type { S3Handlers } from '../../../generated/s3/handlers.ts';
import type { PutObjectRequest } from '../../../generated/s3/types.ts';
import { requireBucket, type BucketRecord } from '../buckets/record.ts';
import { entityTooLarge, MAX_METADATA_BYTES, MAX_OBJECT_SIZE, metadataTooLarge, missingContentLength, noSuchKey, preconditionFailed } from './errors.ts';
import { lastModifiedNow } from './http-dates.ts';
import { blobStoreOf, customerKeyFrom, encryptionOutput, keyForWrite } from './keys.ts';
import type { ObjectVersion } from './record.ts';
import { parseTaggingHeader } from './tagging.ts';
import { bodyStreamOf, checksumOutput, checksumRequestOf, contentMd5Of, declaredLength, receiveBody, type ReceivedBody } from './upload.ts';
import { commitObjectVersion, loadObjectVersion, type VersionFields } from './versions.ts';
import { expirationOutput } from '../lifecycle/expiration.ts';
import { checkAclHeaders } from '../access/handlers.ts';
import { storeObjectAcl } from '../access/object-acl.ts';

export const STORAGE_CLASSES: readonly string[] = [
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE',
  'OUTPOSTS', 'GLACIER_IR', 'SNOW', 'EXPRESS_ONEZONE', 'FSX_OPENZFS', 'FSX_ONTAP',
];

export function checkStorageClass(storageClass: string | undefined): string {
  if (storageClass === undefined) return 'STANDARD';
  if (!STORAGE_CLASSES.includes(storageClass)) throw new AwsError('InvalidStorageClass', 'The storage class you specified is not valid', { fields: { StorageClassRequested: storageClass } });
  return storageClass;
}

/** User metadata, names lower-cased, within S3's 2 KB (UTF-8 bytes of names and values). */
export function checkMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(metadata ?? {})) {
    out[name.toLowerCase()] = value;
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  if (size > MAX_METADATA_BYTES) throw metadataTooLarge(size);
  return out;
}

type ContentHeaderInput = Pick<PutObjectRequest, 'ContentType' | 'ContentEncoding' | 'ContentDisposition' | 'ContentLanguage' | 'CacheControl' | 'Expires'>;

/** The content headers to store; S3 gives objects without a Content-Type binary/octet-stream. */
export function contentHeadersOf(input: ContentHeaderInput): ObjectVersion['contentHeaders'] {
  const out: ObjectVersion['contentHeaders'] = { ContentType: input.ContentType ?? 'binary/octet-stream' };
  if (input.ContentEncoding !== undefined) out.ContentEncoding = input.ContentEncoding;
  if (input.ContentDisposition !== undefined) out.ContentDisposition = input.ContentDisposition;
  if (input.ContentLanguage !== undefined) out.ContentLanguage = input.ContentLanguage;
  if (input.CacheControl !== undefined) out.CacheControl = input.CacheControl;
  if (input.Expires !== undefined) out.Expires = typeof input.Expires === 'string' ? input.Expires : new Date(input.Expires as unknown as string).toUTCString();
  return out;
}

function unquote(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** Whether an If-Match / If-None-Match list ("a", "b" or *) names this ETag. */
export function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((candidate) => {
    const c = candidate.trim();
    return c === '*' || unquote(c) === etag;
  });
}

/**
 * S3's conditional writes: If-None-Match accepts only "*" (the key must not exist); If-Match
 * needs the current object's ETag (no object: NoSuchKey).
 */
export type WritePrecondition = (current: ObjectVersion | undefined, key: string) => void;

export function writePrecondition(ifMatch: string | undefined, ifNoneMatch: string | undefined): WritePrecondition | undefined {
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', { status: 501, fields: { Header: 'If-None-Match' } });
  }
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  return (current, key) => {
    if (ifNoneMatch !== undefined && current) throw preconditionFailed('If-None-Match');
    if (ifMatch !== undefined) {
      if (!current) throw noSuchKey(key);
      if (!etagMatches(ifMatch, current.etag)) throw preconditionFailed('If-Match');
    }
  };
}

function checkDeclaredLength(ctx: RequestContext): void {
  const headers = ctx.request.headers;
  const length = declaredLength(headers);
  if (length === undefined) throw missingContentLength();
  if (length > MAX_OBJECT_SIZE) throw entityTooLarge(length);
}

/** The version id response member: absent for unversioned buckets' null versions. */
export function versionIdMember(version: ObjectVersion, bucketVersioned: boolean): { VersionId?: string } {
  return bucketVersioned ? { VersionId: version.versionId } : {};
}

/** What a new version takes from the blob receiveBody wrote; the caller gives the rest. */
type ReceivedFields = 'lastModified' | 'ownerAccountId' | 'size' | 'etag' | 'blobs' | 'checksum';

/**
 * Commits a received blob as the key's new version (PutObject, CopyObject). When the commit
 * fails (a precondition lost to a racing writer, …) the blob is deleted, so no bytes stay behind.
 */
export async function commitReceivedObject(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
  received: ReceivedBody,
  precondition: WritePrecondition | undefined,
  fields: Omit<VersionFields, ReceivedFields>,
): Promise<ObjectVersion> {
  const { blob } = received;
  try {
    return await commitObjectVersion(
      ctx,
      bucket,
      key,
      {
        lastModified: lastModifiedNow(ctx.clock.now()),
        ownerAccountId: ctx.accountId,
        size: blob.size,
        etag: blob.md5.toString('hex'),
        blobs: [{ blobId: blob.blobId, size: blob.size }],
        checksum: received.checksum,
        ...fields,
      },
      { precondition: precondition ? (current) => precondition(current, key) : undefined },
    );
  } catch (err) {
    await blobStoreOf(ctx).delete(blob.blobId);
    throw err;
  }
}

export const putHandlers: Pick<S3Handlers, 'PutObject'> = {
  async PutObject(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket);
    checkDeclaredLength(ctx);
    const customer = customerKeyFrom(input);
    const contentMd5 = contentMd5Of(input.ContentMD5);
    const checksum = checksumRequestOf(input, ctx.request.headers);
    const metadata = checkMetadata(input.Metadata);
    const storageClass = checkStorageClass(input.StorageClass);
    const tags = parseTaggingHeader(input.Tagging);
    const precondition = writePrecondition(input.IfMatch, input.IfNoneMatch);
    const grants = await checkAclHeaders(ctx, bucket, input);
    // Judge the condition before the bytes arrive too, so a refused write never stores a blob.
    if (precondition) {
      const current = await loadObjectVersion(ctx, bucket.name, input.Key);
      precondition(current && !current.isDeleteMarker ? current : undefined, input.Key);
    }

    const { key, encryption } = await keyForWrite(ctx, bucket, customer);
    const proposedSize = declaredLength(ctx.request.headers);
    const received = await receiveBody(ctx, blobStoreOf(ctx), bodyStreamOf(input.Body), { key, checksum, contentMd5, proposedSize });
    const version = await commitReceivedObject(ctx, bucket, input.Key, received, precondition, {
      storageClass,
      encryption,
      contentHeaders: contentHeadersOf(input),
      metadata,
      ...(tags && tags.length ? { tags } : {}),
      ...(input.WebsiteRedirectLocation !== undefined ? { websiteRedirectLocation: input.WebsiteRedirectLocation } : {}),
    });
    if (grants) await storeObjectAcl(ctx, version, grants);
    return {
      ...expirationOutput(bucket, version),
      ETag: `"${version.etag}"`,
      ...checksumOutput(version.checksum),
      ...encryptionOutput(version.encryption),
      ...versionIdMember(version, bucket.versioning !== 'Unversioned'),
    };
  },
};
