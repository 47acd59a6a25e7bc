/**
 * UploadPart and UploadPartCopy: a part's bytes become one blob, and a row records it. Re-sending a
 * part number replaces the earlier part; its blob is deleted once the new row is committed.
 */
import { lastModifiedNow } from '../objects/http-dates.ts';
import type { RequestContext } from '../../../core/context.ts';
import type {
  UploadPartCopyOutput, UploadPartCopyRequest, UploadPartOutput, UploadPartRequest,
} from '../../../generated/s3/types.ts';
import type { BlobStore, ByteRange, WrittenBlob } from '../blobs/types.ts';
import { requireBucket } from '../buckets/record.ts';
import { invalidVersionId, noSuchKey, noSuchVersion, preconditionFailed } from '../objects/errors.ts';
import { blobStoreOf, customerKeyFrom, encryptionOutput, keyForRead } from '../objects/keys.ts';
import { hasherAlgorithm, type ObjectVersion, type S3ChecksumAlgorithm } from '../objects/record.ts';
import { isWellFormedVersionId, loadObjectVersion } from '../objects/versions.ts';
import { checkPartChecksumAllowed, declaredChecksum, declaredMd5, receivePartBody, type ChecksumInput } from './body.ts';
import { checksumMember } from './checksums.ts';
import { readPart, readUpload, upsertPart, type PartRecord, type UploadRecord } from './db.ts';
import { invalidArgument, invalidRequest, noSuchUpload } from './errors.ts';
import { checkPartNumber, partKey, requireUpload } from './uploads.ts';

/**
 * Commits a part row. The upload may have been aborted or completed while the bytes streamed: then
 * the new blob is deleted and the request fails with NoSuchUpload.
 */
async function recordPart(ctx: RequestContext, blobs: BlobStore, upload: UploadRecord, part: PartRecord): Promise<void> {
  const replaced = await ctx.store.transaction(async (tx) => {
    if (!(await readUpload(tx, upload.uploadId))) return 'upload-gone' as const;
    const previous = await readPart(tx, upload.uploadId, part.partNumber);
    await upsertPart(tx, upload.uploadId, part);
    return previous;
  });
  if (replaced === 'upload-gone') {
    await blobs.delete(part.blobId);
    throw noSuchUpload(upload.uploadId);
  }
  if (replaced && replaced.blobId !== part.blobId) await blobs.delete(replaced.blobId);
}

function partRecord(ctx: RequestContext, partNumber: number, blob: WrittenBlob, checksums: Partial<Record<S3ChecksumAlgorithm, string>>, upload: UploadRecord): PartRecord {
  const algorithm = upload.checksum?.algorithm;
  return {
    partNumber,
    blobId: blob.blobId,
    size: blob.size,
    md5: blob.md5.toString('hex'),
    ...(algorithm ? { checksum: checksums[algorithm] } : {}),
    crc64nvme: checksums.CRC64NVME ?? '', // only uploads without an algorithm need it (body.ts)
    lastModified: lastModifiedNow(ctx.clock.now()),
  };
}

export async function uploadPart(input: UploadPartRequest, ctx: RequestContext): Promise<UploadPartOutput> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  const partNumber = checkPartNumber(input.PartNumber);
  const upload = await requireUpload(ctx.store, bucket.name, input.Key, input.UploadId);
  const declared = declaredChecksum(ctx, input as ChecksumInput);
  checkPartChecksumAllowed(upload, declared);
  const contentMd5 = declaredMd5(input.ContentMD5);
  const key = await partKey(ctx, bucket, upload, input);
  const blobs = blobStoreOf(ctx);
  const received = await receivePartBody(ctx, blobs, key, input.Body, { upload, declared, contentMd5 });
  const part = partRecord(ctx, partNumber, received.blob, received.checksums, upload);
  await recordPart(ctx, blobs, upload, part);
  // The part's checksum is echoed: the upload's algorithm, else whatever the client declared.
  const echoed = upload.checksum?.algorithm ?? declared?.algorithm;
  return {
    ETag: `"${part.md5}"`,
    ...encryptionOutput(upload.encryption),
    ...(echoed ? { [checksumMember(echoed)]: received.checksums[echoed] } : {}),
  };
}

// --- UploadPartCopy -------------------------------------------------------------------------

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

/** x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, optionally "?versionId=…". */
export function parseCopySource(value: string): CopySource {
  const [path = '', query] = value.split('?', 2) as [string, string | undefined];
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.startsWith('/') ? path.slice(1) : path);
  } catch {
    throw invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', value);
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalidArgument('Invalid copy source object key', 'x-amz-copy-source', value);
  const versionId = query === undefined ? undefined : new URLSearchParams(query).get('versionId') ?? undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), ...(versionId !== undefined ? { versionId } : {}) };
}

const RANGE_FORM_MESSAGE =
  'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy';

/** x-amz-copy-source-range: exactly "bytes=first-last", both given, within the source object. */
export function parseCopySourceRange(value: string | undefined, size: number): ByteRange | undefined {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d+)-(\d+)$/.exec(value);
  if (!match) throw invalidArgument(RANGE_FORM_MESSAGE, 'x-amz-copy-source-range', value);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (start > end) throw invalidArgument(RANGE_FORM_MESSAGE, 'x-amz-copy-source-range', value);
  if (start >= size) throw invalidRequest('The specified copy range is invalid for the source object size');
  if (end >= size) throw invalidArgument(`Range specified is not valid for source object of size: ${size}`, 'x-amz-copy-source-range', value);
  return { start, end };
}

function etagMatches(condition: string, etag: string): boolean {
  return condition.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === '*' || trimmed.replace(/^"|"$/g, '') === etag;
  });
}

/**
 * The x-amz-copy-source-if-* conditions, as CopyObject applies them: If-Match that holds overrides
 * a failing If-Unmodified-Since, If-None-Match that fails overrides a holding If-Modified-Since.
 */
export function checkCopySourceConditions(input: UploadPartCopyRequest, source: ObjectVersion): void {
  const lastModified = new Date(source.lastModified).getTime();
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000) * 1000;
  if (input.CopySourceIfMatch !== undefined) {
    if (!etagMatches(input.CopySourceIfMatch, source.etag)) throw preconditionFailed('x-amz-copy-source-If-Match');
  } else if (input.CopySourceIfUnmodifiedSince !== undefined && seconds(new Date(lastModified)) > input.CopySourceIfUnmodifiedSince.getTime()) {
    throw preconditionFailed('x-amz-copy-source-If-Unmodified-Since');
  }
  if (input.CopySourceIfNoneMatch !== undefined) {
    if (etagMatches(input.CopySourceIfNoneMatch, source.etag)) throw preconditionFailed('x-amz-copy-source-If-None-Match');
  } else if (input.CopySourceIfModifiedSince !== undefined && seconds(new Date(lastModified)) <= input.CopySourceIfModifiedSince.getTime()) {
    throw preconditionFailed('x-amz-copy-source-If-Modified-Since');
  }
}

async function loadCopySource(ctx: RequestContext, source: CopySource): Promise<ObjectVersion> {
  if (source.versionId !== undefined && !isWellFormedVersionId(source.versionId)) throw invalidVersionId(source.versionId);
  const version = await loadObjectVersion(ctx, source.bucket, source.key, source.versionId);
  if (!version) throw source.versionId === undefined ? noSuchKey(source.key) : noSuchVersion(source.key, source.versionId);
  if (version.isDeleteMarker) {
    if (source.versionId === undefined) throw noSuchKey(source.key);
    throw invalidRequest('The source of a copy request may not specifically refer to a delete marker by version id.');
  }
  return version;
}

export async function uploadPartCopy(input: UploadPartCopyRequest, ctx: RequestContext): Promise<UploadPartCopyOutput> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  const partNumber = checkPartNumber(input.PartNumber);
  const upload = await requireUpload(ctx.store, bucket.name, input.Key, input.UploadId);
  const copySource = parseCopySource(input.CopySource);
  const sourceBucket = await requireBucket(ctx, copySource.bucket, { expectedBucketOwner: input.ExpectedSourceBucketOwner });
  const source = await loadCopySource(ctx, copySource);
  checkCopySourceConditions(input, source);
  const range = parseCopySourceRange(input.CopySourceRange, source.size);
  const sourceKey = await keyForRead(
    ctx,
    sourceBucket,
    source,
    customerKeyFrom({
      SSECustomerAlgorithm: input.CopySourceSSECustomerAlgorithm,
      SSECustomerKey: input.CopySourceSSECustomerKey,
      SSECustomerKeyMD5: input.CopySourceSSECustomerKeyMD5,
    }),
  );
  const key = await partKey(ctx, bucket, upload, input);
  const blobs = blobStoreOf(ctx);
  const algorithms = new Set<S3ChecksumAlgorithm>(['CRC64NVME']);
  if (upload.checksum) algorithms.add(upload.checksum.algorithm);
  const blob = await blobs.write(blobs.readConcatenated(source.blobs, sourceKey, range), {
    key,
    checksumAlgorithms: [...algorithms].map(hasherAlgorithm),
  });
  const checksums: Partial<Record<S3ChecksumAlgorithm, string>> = {};
  for (const algorithm of algorithms) checksums[algorithm] = blob.checksums[hasherAlgorithm(algorithm)]!.toString('base64');
  const part = partRecord(ctx, partNumber, blob, checksums, upload);
  await recordPart(ctx, blobs, upload, part);
  const algorithm = upload.checksum?.algorithm;
  return {
    CopyPartResult: {
      ETag: `"${part.md5}"`,
      LastModified: new Date(part.lastModified),
      ...(algorithm ? { [checksumMember(algorithm)]: part.checksum } : {}),
    },
    ...(source.versionId !== 'null' ? { CopySourceVersionId: source.versionId } : {}),
    ...encryptionOutput(upload.encryption),
  };
}
