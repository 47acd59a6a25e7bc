/**
 * CompleteMultipartUpload: the listed parts become one object version without copying a byte (the
 * version's blobs are the parts' blobs, in order). The upload is claimed — its rows deleted in the
 * same transaction that validates the part list — before the object is committed, so a concurrent
 * abort or second completion cannot delete blobs the new object uses; if the commit is refused
 * (If-None-Match), the rows are put back.
 */
import { lastModifiedNow } from '../objects/http-dates.ts';
import type { RequestContext } from '../../../core/context.ts';
import type { CompleteMultipartUploadOutput, CompleteMultipartUploadRequest, CompletedPart } from '../../../generated/s3/types.ts';
import type { DocOps } from '../../../store/types.ts';
import type { Grant } from '../../../generated/s3/types.ts';
import { storeObjectAcl } from '../access/object-acl.ts';
import { expirationOutput } from '../lifecycle/expiration.ts';
import { requireBucket } from '../buckets/record.ts';
import { badChecksum, noSuchKey, preconditionFailed } from '../objects/errors.ts';
import { blobStoreOf, encryptionOutput } from '../objects/keys.ts';
import type { ObjectVersion, S3ChecksumAlgorithm } from '../objects/record.ts';
import { commitObjectVersion, type VersionFields } from '../objects/versions.ts';
import { CHECKSUM_ALGORITHMS, checksumMember, combineCrcs, compositeChecksum, isCrcAlgorithm, multipartEtag } from './checksums.ts';
import { deleteUpload, insertUpload, readParts, readUpload, upsertPart, type PartRecord, type UploadRecord } from './db.ts';
import {
  checksumTypeMismatch, entityTooSmall, invalidPart, invalidPartOrder, invalidRequest, malformedXml, MIN_PART_SIZE, missingPartChecksum,
  noSuchUpload,
} from './errors.ts';

function unquote(etag: string): string {
  return etag.trim().replace(/^"(.*)"$/, '$1');
}

/** Part numbers strictly ascending (a repeated number is out of order too). */
function checkAscending(listed: readonly CompletedPart[]): void {
  for (let i = 1; i < listed.length; i++) {
    if ((listed[i]!.PartNumber ?? 0) <= (listed[i - 1]!.PartNumber ?? 0)) throw invalidPartOrder();
  }
}

/** The checksum a completion request lists for a part, with its algorithm. */
function listedChecksum(part: CompletedPart): { algorithm: S3ChecksumAlgorithm; value: string } | undefined {
  const algorithm = CHECKSUM_ALGORITHMS.find((name) => part[checksumMember(name)] !== undefined);
  return algorithm ? { algorithm, value: part[checksumMember(algorithm)]! } : undefined;
}

/**
 * Each listed part must exist with the listed ETag and, for an upload with an algorithm, the
 * listed checksum (required for COMPOSITE uploads). Uploads without an algorithm keep no part
 * checksums, so a listed one cannot match.
 */
function matchListedParts(upload: UploadRecord, listed: readonly CompletedPart[], stored: ReadonlyMap<number, PartRecord>): PartRecord[] {
  return listed.map((entry) => {
    const partNumber = entry.PartNumber ?? 0;
    const etag = entry.ETag ?? '';
    const part = stored.get(partNumber);
    if (!part || unquote(etag) !== part.md5) throw invalidPart(upload.uploadId, partNumber, etag);
    const checksum = listedChecksum(entry);
    if (checksum) {
      if (!upload.checksum || checksum.algorithm !== upload.checksum.algorithm || checksum.value !== part.checksum) {
        throw invalidPart(upload.uploadId, partNumber, etag);
      }
    } else if (upload.checksum?.type === 'COMPOSITE') {
      throw missingPartChecksum(upload.checksum.algorithm, partNumber);
    }
    return part;
  });
}

function checkPartSizes(parts: readonly PartRecord[]): void {
  parts.slice(0, -1).forEach((part) => {
    if (part.size < MIN_PART_SIZE) throw entityTooSmall(part.size, part.partNumber, `"${part.md5}"`);
  });
}

/**
 * The object's checksum: the upload's (composite, or the parts' CRCs combined). An upload created
 * without an algorithm gets none, unless the completion sends x-amz-checksum-crc64nvme: S3 then
 * computes and keeps the full-object CRC64NVME (other algorithms' headers are ignored there).
 */
export function objectChecksum(
  upload: UploadRecord,
  parts: readonly PartRecord[],
  requestedCrc64nvme = false,
): ObjectVersion['checksum'] {
  const settings = upload.checksum;
  if (!settings) {
    if (!requestedCrc64nvme) return undefined;
    return { algorithm: 'CRC64NVME', type: 'FULL_OBJECT', value: combineCrcs('CRC64NVME', parts.map((p) => ({ checksum: p.crc64nvme, size: p.size }))) };
  }
  const { algorithm, type } = settings;
  if (type === 'FULL_OBJECT' && isCrcAlgorithm(algorithm)) {
    return { algorithm, type, value: combineCrcs(algorithm, parts.map((p) => ({ checksum: p.checksum!, size: p.size }))) };
  }
  return { algorithm, type: 'COMPOSITE', value: compositeChecksum(algorithm, parts.map((p) => p.checksum!)) };
}

/**
 * A whole-object checksum sent with the completion must be of the upload's algorithm and agree
 * with the computed one (a composite value may come with or without its "-N" suffix).
 */
function checkRequestChecksum(input: CompleteMultipartUploadRequest, upload: UploadRecord, computed: ObjectVersion['checksum']): void {
  const sent = CHECKSUM_ALGORITHMS.find((name) => input[checksumMember(name)] !== undefined);
  if (!sent || !upload.checksum || !computed) return;
  if (sent !== upload.checksum.algorithm) throw checksumTypeMismatch(upload.checksum.algorithm, sent);
  const value = input[checksumMember(sent)]!.replace(/-\d+$/, '');
  if (value !== computed.value.replace(/-\d+$/, '')) throw badChecksum(sent);
}

function checkObjectSize(input: CompleteMultipartUploadRequest, size: number): void {
  if (input.MpuObjectSize !== undefined && input.MpuObjectSize !== size) {
    throw invalidRequest(`The provided 'x-amz-mp-object-size' header value "${input.MpuObjectSize}" does not match what was computed: "${size}"`);
  }
}

interface Claimed {
  upload: UploadRecord;
  parts: PartRecord[];
  allParts: PartRecord[];
}

/** Validates the part list against the upload and removes the upload's rows, in one transaction. */
async function claimUpload(tx: DocOps, input: CompleteMultipartUploadRequest, bucket: string): Promise<Claimed> {
  const upload = await readUpload(tx, input.UploadId);
  if (!upload || upload.bucket !== bucket || upload.key !== input.Key) throw noSuchUpload(input.UploadId);
  const listed = input.MultipartUpload?.Parts ?? [];
  if (listed.length === 0) throw malformedXml();
  checkAscending(listed);
  const allParts = await readParts(tx, upload.uploadId);
  const parts = matchListedParts(upload, listed, new Map(allParts.map((p) => [p.partNumber, p])));
  checkPartSizes(parts);
  await deleteUpload(tx, upload.uploadId);
  return { upload, parts, allParts };
}

async function restoreUpload(ctx: RequestContext, claimed: Claimed): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    await insertUpload(tx, claimed.upload);
    for (const part of claimed.allParts) await upsertPart(tx, claimed.upload.uploadId, part);
  });
}

/** If-None-Match: * (create only) and If-Match: <etag> (replace only that object). */
function completionPrecondition(input: CompleteMultipartUploadRequest): ((current: ObjectVersion | undefined) => void) | undefined {
  if (input.IfNoneMatch === undefined && input.IfMatch === undefined) return undefined;
  return (current) => {
    if (input.IfNoneMatch !== undefined && current) throw preconditionFailed('If-None-Match');
    if (input.IfMatch !== undefined) {
      if (!current) throw noSuchKey(input.Key);
      if (input.IfMatch.trim() !== '*' && unquote(input.IfMatch) !== current.etag) throw preconditionFailed('If-Match');
    }
  };
}

function versionFields(ctx: RequestContext, upload: UploadRecord, parts: readonly PartRecord[], checksum: ObjectVersion['checksum']): VersionFields {
  return {
    lastModified: lastModifiedNow(ctx.clock.now()),
    ownerAccountId: upload.ownerAccountId,
    size: parts.reduce((total, part) => total + part.size, 0),
    etag: multipartEtag(parts.map((part) => part.md5)),
    storageClass: upload.storageClass,
    blobs: parts.map((part) => ({ blobId: part.blobId, size: part.size })),
    parts: parts.map((part) => ({ size: part.size, ...(part.checksum ? { checksum: part.checksum } : {}) })),
    ...(checksum ? { checksum } : {}),
    encryption: upload.encryption,
    contentHeaders: upload.contentHeaders,
    metadata: upload.metadata,
    ...(upload.tags ? { tags: upload.tags } : {}),
    ...(upload.websiteRedirectLocation ? { websiteRedirectLocation: upload.websiteRedirectLocation } : {}),
  };
}

/** The object's URL as the client addressed the bucket (virtual-hosted or path-style). */
function locationOf(ctx: RequestContext, bucket: string, key: string): string {
  const host = ctx.request.headers.host ?? '127.0.0.1';
  const scheme = ctx.request.secure ? 'https' : 'http';
  const path = key.split('/').map(encodeURIComponent).join('/');
  return host.startsWith(`${bucket}.`) ? `${scheme}://${host}/${path}` : `${scheme}://${host}/${bucket}/${path}`;
}

export async function completeMultipartUpload(input: CompleteMultipartUploadRequest, ctx: RequestContext): Promise<CompleteMultipartUploadOutput> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  const claimed = await ctx.store.transaction((tx) => claimUpload(tx, input, bucket.name));
  const { upload, parts } = claimed;
  let version: ObjectVersion;
  try {
    const checksum = objectChecksum(upload, parts, input.ChecksumCRC64NVME !== undefined);
    checkRequestChecksum(input, upload, checksum);
    const fields = versionFields(ctx, upload, parts, checksum);
    checkObjectSize(input, fields.size);
    version = await commitObjectVersion(ctx, bucket, upload.key, fields, { precondition: completionPrecondition(input) });
  } catch (err) {
    await restoreUpload(ctx, claimed);
    throw err;
  }
  await deleteUnlistedParts(ctx, claimed);
  if (upload.acl) await storeObjectAcl(ctx, version, upload.acl as Grant[]);
  const checksum = version.checksum;
  return {
    ...expirationOutput(bucket, version),
    Location: locationOf(ctx, bucket.name, upload.key),
    Bucket: bucket.name,
    Key: upload.key,
    ETag: `"${version.etag}"`,
    ...(checksum ? { [checksumMember(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type } : {}),
    ...(version.versionId !== 'null' ? { VersionId: version.versionId } : {}),
    ...(upload.encryption.kind === 'SSE-S3' ? { ServerSideEncryption: encryptionOutput(upload.encryption).ServerSideEncryption } : {}),
  };
}

/** Parts uploaded but not listed are not part of the object: their blobs go. */
async function deleteUnlistedParts(ctx: RequestContext, claimed: Claimed): Promise<void> {
  const used = new Set(claimed.parts.map((part) => part.blobId));
  const blobs = blobStoreOf(ctx);
  for (const part of claimed.allParts) {
    if (used.has(part.blobId)) continue;
    try {
      await blobs.delete(part.blobId);
    } catch (err) {
      ctx.log.warn({ err, blobId: part.blobId }, 'could not delete an unlisted part; collectOrphanBlobs will');
    }
  }
}
