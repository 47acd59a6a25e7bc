/** CreateMultipartUpload: records what the completed object will be, and hands out an upload id. */
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../../core/context.ts';
import type { CreateMultipartUploadOutput, CreateMultipartUploadRequest } from '../../../generated/s3/types.ts';
import { aclNotSupported, requestedGrants, requestHasAcl } from '../access/acl.ts';
import { requireBucket, type BucketRecord } from '../buckets/record.ts';
import { customerKeyFrom, encryptionOutput } from '../objects/keys.ts';
import type { ObjectEncryption, S3ChecksumAlgorithm } from '../objects/record.ts';
import { CHECKSUM_ALGORITHMS, isCrcAlgorithm } from './checksums.ts';
import { insertUpload, type ChecksumType, type UploadRecord } from './db.ts';
import { invalidRequest } from './errors.ts';
import { initiatorOf } from './uploads.ts';

/** Upload ids are opaque and long, as S3's are: 60 random bytes in URL-safe base64 (80 characters). */
export function newUploadId(): string {
  return randomBytes(60).toString('base64url');
}

/**
 * The upload's checksum settings. COMPOSITE is the default, except for CRC64NVME which only exists
 * as a full-object checksum; FULL_OBJECT needs a CRC (SHA digests cannot be combined).
 */
export function uploadChecksum(algorithm: string | undefined, type: string | undefined): UploadRecord['checksum'] {
  if (algorithm === undefined) {
    if (type !== undefined) {
      throw invalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    }
    return undefined;
  }
  const known = CHECKSUM_ALGORITHMS.find((name) => name === algorithm.toUpperCase());
  if (!known) throw invalidRequest('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  const checksumType = (type ?? (known === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE')) as ChecksumType;
  const allowed = checksumType === 'FULL_OBJECT' ? isCrcAlgorithm(known) : known !== 'CRC64NVME';
  if (!allowed) {
    throw invalidRequest(`The ${checksumType} checksum type cannot be used with the ${known.toLowerCase()} checksum algorithm.`);
  }
  return { algorithm: known as S3ChecksumAlgorithm, type: checksumType };
}

/** x-amz-tagging is a URL query string ("k1=v1&k2=v2"). */
function parseTagging(tagging: string | undefined): UploadRecord['tags'] {
  if (tagging === undefined || tagging === '') return undefined;
  return [...new URLSearchParams(tagging)].map(([Key, Value]) => ({ Key, Value }));
}

/** ACL headers are kept for the completed object; a bucket that disables ACLs only takes bucket-owner-full-control. */
function aclFor(ctx: RequestContext, bucket: BucketRecord, input: CreateMultipartUploadRequest): unknown {
  const request = input as unknown as Record<string, unknown>;
  if (!requestHasAcl(request)) return undefined;
  const grants = requestedGrants(request, ctx.accountId, bucket.ownerAccountId);
  if (bucket.objectOwnership === 'BucketOwnerEnforced') {
    if (input.ACL === 'bucket-owner-full-control') return undefined;
    throw aclNotSupported();
  }
  return grants;
}

function lowerCaseKeys(metadata: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}

export async function createMultipartUpload(input: CreateMultipartUploadRequest, ctx: RequestContext): Promise<CreateMultipartUploadOutput> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  const checksum = uploadChecksum(input.ChecksumAlgorithm, input.ChecksumType);
  const customer = customerKeyFrom(input);
  const encryption: ObjectEncryption = customer ? { kind: 'SSE-C', customerKeyMd5: customer.md5 } : { kind: 'SSE-S3' };
  const acl = aclFor(ctx, bucket, input);
  const upload: UploadRecord = {
    uploadId: newUploadId(),
    bucket: bucket.name,
    key: input.Key,
    initiated: ctx.clock.now().toISOString(),
    ownerAccountId: ctx.accountId,
    initiator: initiatorOf(ctx.principal),
    storageClass: input.StorageClass ?? 'STANDARD',
    ...(checksum ? { checksum } : {}),
    encryption,
    contentHeaders: {
      ContentType: input.ContentType ?? 'binary/octet-stream',
      ContentEncoding: input.ContentEncoding,
      ContentDisposition: input.ContentDisposition,
      ContentLanguage: input.ContentLanguage,
      CacheControl: input.CacheControl,
      Expires: input.Expires,
    },
    metadata: lowerCaseKeys(input.Metadata),
    tags: parseTagging(input.Tagging),
    websiteRedirectLocation: input.WebsiteRedirectLocation,
    ...(acl !== undefined ? { acl } : {}),
  };
  await insertUpload(ctx.store, upload);
  return {
    Bucket: bucket.name,
    Key: input.Key,
    UploadId: upload.uploadId,
    ...encryptionOutput(encryption),
    ...(checksum ? { ChecksumAlgorithm: checksum.algorithm, ChecksumType: checksum.type } : {}),
  };
}
