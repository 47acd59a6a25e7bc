/**
 * CopyObject: the source streams out of its blobs (decrypted with the source bucket's key or the
 * copy-source SSE-C key) into a new blob encrypted for the destination. Metadata and tags are
 * copied or replaced per the directives; S3's copy-source conditions answer 412, never 304.
 */
import type { RequestContext } from '../../../core/context.ts';
import type { S3Handlers } from '../../../generated/s3/handlers.ts';
import type { CopyObjectRequest } from '../../../generated/s3/types.ts';
import { requireBucket, type BucketRecord } from '../buckets/record.ts';
import { invalidArgument, invalidRequest } from './errors.ts';
import { blobStoreOf, customerKeyFrom, encryptionOutput, keyForRead, keyForWrite } from './keys.ts';
import { requireObjectVersion } from './lookup.ts';
import { checkStorageClass, checkMetadata, commitReceivedObject, contentHeadersOf, versionIdMember, writePrecondition } from './put.ts';
import { checkReadableStorage, checkReadConditions, type ConditionNames } from './read.ts';
import type { ObjectVersion } from './record.ts';
import { parseTaggingHeader } from './tagging.ts';
import { checksumMember, checksumRequestOf, receiveBody } from './upload.ts';
import { checkAclHeaders } from '../access/handlers.ts';
import { storeObjectAcl } from '../access/object-acl.ts';
import { expirationOutput } from '../lifecycle/expiration.ts';
import { AwsError } from '../../../core/errors.ts';

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

/** x-amz-copy-source: "[/]bucket/key[?versionId=id]", the bucket and key URL-encoded. */
export function parseCopySource(header: string): CopySource {
  const q = header.indexOf('?');
  const path = q < 0 ? header : header.slice(0, q);
  const query = q < 0 ? '' : header.slice(q + 1);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', header);
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalidArgument('Invalid copy source object key', 'x-amz-copy-source', header);
  const source: CopySource = { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
  const versionId = new URLSearchParams(query).get('versionId');
  if (versionId !== null) source.versionId = versionId;
  return source;
}

const COPY_SOURCE_CONDITIONS: ConditionNames = {
  ifMatch: 'x-amz-copy-source-If-Match',
  ifNoneMatch: 'x-amz-copy-source-If-None-Match',
  ifModifiedSince: 'x-amz-copy-source-If-Modified-Since',
  ifUnmodifiedSince: 'x-amz-copy-source-If-Unmodified-Since',
  notModifiedIsPreconditionFailure: true,
};

function checkDirective(name: string, value: string | undefined): 'COPY' | 'REPLACE' {
  if (value === undefined) return 'COPY';
  if (value !== 'COPY' && value !== 'REPLACE') throw invalidArgument(`Unknown ${name}`, `x-amz-${name.toLowerCase()}`, value);
  return value;
}

/** Whether a copy onto the same object changes anything S3 counts (else it is refused). */
function changesSomething(input: CopyObjectRequest, metadataDirective: string): boolean {
  return (
    metadataDirective === 'REPLACE' ||
    input.StorageClass !== undefined ||
    input.WebsiteRedirectLocation !== undefined ||
    input.ServerSideEncryption !== undefined ||
    input.SSECustomerAlgorithm !== undefined ||
    input.SSEKMSKeyId !== undefined
  );
}

async function loadSource(ctx: RequestContext, source: CopySource): Promise<{ bucket: BucketRecord; version: ObjectVersion }> {
  const bucket = await requireBucket(ctx, source.bucket);
  try {
    return { bucket, version: (await requireObjectVersion(ctx, source.bucket, source.key, source.versionId, 'GET')).version };
  } catch (err) {
    if (err instanceof AwsError && err.code === 'MethodNotAllowed') {
      throw invalidRequest('The source of a copy request may not specifically refer to a delete marker by version id.');
    }
    throw err;
  }
}

export const copyHandlers: Pick<S3Handlers, 'CopyObject'> = {
  async CopyObject(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket);
    const source = parseCopySource(input.CopySource);
    const metadataDirective = checkDirective('MetadataDirective', input.MetadataDirective);
    const taggingDirective = checkDirective('TaggingDirective', input.TaggingDirective);
    const { bucket: sourceBucket, version: sourceVersion } = await loadSource(ctx, source);
    checkReadConditions(
      { IfMatch: input.CopySourceIfMatch, IfNoneMatch: input.CopySourceIfNoneMatch, IfModifiedSince: input.CopySourceIfModifiedSince, IfUnmodifiedSince: input.CopySourceIfUnmodifiedSince },
      sourceVersion,
      COPY_SOURCE_CONDITIONS,
    );
    checkReadableStorage(sourceVersion, ctx.clock.now());
    const sameObject = source.bucket === bucket.name && source.key === input.Key;
    if (sameObject && !changesSomething(input, metadataDirective)) {
      throw invalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }

    const sourceKey = await keyForRead(ctx, sourceBucket, sourceVersion, customerKeyFrom({
      SSECustomerAlgorithm: input.CopySourceSSECustomerAlgorithm,
      SSECustomerKey: input.CopySourceSSECustomerKey,
      SSECustomerKeyMD5: input.CopySourceSSECustomerKeyMD5,
    }));
    const replace = metadataDirective === 'REPLACE';
    const metadata = replace ? checkMetadata(input.Metadata) : sourceVersion.metadata;
    const contentHeaders = replace ? contentHeadersOf(input) : sourceVersion.contentHeaders;
    const tags = taggingDirective === 'REPLACE' ? parseTaggingHeader(input.Tagging) : sourceVersion.tags;
    const storageClass = checkStorageClass(input.StorageClass);
    const precondition = writePrecondition(input.IfMatch, input.IfNoneMatch);
    const grants = await checkAclHeaders(ctx, bucket, input);
    const checksum = checksumRequestOf({ ChecksumAlgorithm: input.ChecksumAlgorithm ?? sourceVersion.checksum?.algorithm }, {});

    const blobs = blobStoreOf(ctx);
    const { key, encryption } = await keyForWrite(ctx, bucket, customerKeyFrom(input));
    const received = await receiveBody(ctx, blobs, blobs.readConcatenated(sourceVersion.blobs, sourceKey), { key, checksum });
    const websiteRedirectLocation = input.WebsiteRedirectLocation ?? (replace ? undefined : sourceVersion.websiteRedirectLocation);
    const version = await commitReceivedObject(ctx, bucket, input.Key, received, precondition, {
      storageClass,
      encryption,
      contentHeaders,
      metadata,
      ...(tags && tags.length ? { tags } : {}),
      ...(websiteRedirectLocation !== undefined ? { websiteRedirectLocation } : {}),
    });
    if (grants) await storeObjectAcl(ctx, version, grants);
    return {
      ...expirationOutput(bucket, version),
      CopyObjectResult: {
        ETag: `"${version.etag}"`,
        LastModified: new Date(version.lastModified),
        ...(version.checksum ? { ChecksumType: version.checksum.type, [checksumMember(version.checksum.algorithm)]: version.checksum.value } : {}),
      },
      ...(sourceBucket.versioning !== 'Unversioned' ? { CopySourceVersionId: sourceVersion.versionId } : {}),
      ...versionIdMember(version, bucket.versioning !== 'Unversioned'),
      ...encryptionOutput(version.encryption),
    };
  },
};
