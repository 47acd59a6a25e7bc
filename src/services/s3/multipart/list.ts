/** ListParts and ListMultipartUploads, with S3's markers, limits and common prefixes. */
import type { RequestContext } from '../../../core/context.ts';
import type {
  ListMultipartUploadsOutput, ListMultipartUploadsRequest, ListPartsOutput, ListPartsRequest, MultipartUpload, Part,
} from '../../../generated/s3/types.ts';
import { requireBucket } from '../buckets/record.ts';
import { checksumMember } from './checksums.ts';
import { listBucketUploads, readParts, type PartRecord, type UploadRecord } from './db.ts';
import { invalidArgument } from './errors.ts';
import { initiatorOutput, ownerOutput, requireUpload } from './uploads.ts';

/** S3 returns at most 1000 parts or uploads per page, whatever the client asks. */
export const PAGE_LIMIT = 1000;

const MAX_INT = 2147483647;

function pageSize(value: number | undefined, argument: string): number {
  if (value === undefined) return PAGE_LIMIT;
  if (!Number.isInteger(value) || value < 0 || value > MAX_INT) {
    throw invalidArgument(`Argument ${argument} must be an integer between 0 and ${MAX_INT}`, argument, String(value));
  }
  return Math.min(value, PAGE_LIMIT);
}

function partOutput(upload: UploadRecord, part: PartRecord): Part {
  const algorithm = upload.checksum?.algorithm;
  return {
    PartNumber: part.partNumber,
    LastModified: new Date(part.lastModified),
    ETag: `"${part.md5}"`,
    Size: part.size,
    ...(algorithm && part.checksum ? { [checksumMember(algorithm)]: part.checksum } : {}),
  };
}

function checksumSettingsOutput(upload: UploadRecord): Pick<ListPartsOutput, 'ChecksumAlgorithm' | 'ChecksumType'> {
  return upload.checksum ? { ChecksumAlgorithm: upload.checksum.algorithm, ChecksumType: upload.checksum.type } : {};
}

export async function listParts(input: ListPartsRequest, ctx: RequestContext): Promise<ListPartsOutput> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  const upload = await requireUpload(ctx.store, bucket.name, input.Key, input.UploadId);
  const maxParts = pageSize(input.MaxParts, 'max-parts');
  const marker = input.PartNumberMarker ?? 0;
  if (!Number.isInteger(marker) || marker < 0 || marker > MAX_INT) {
    throw invalidArgument(`Argument partNumberMarker must be an integer between 0 and ${MAX_INT}`, 'part-number-marker', String(marker));
  }
  const page = await readParts(ctx.store, upload.uploadId, marker, maxParts + 1);
  const listed = page.slice(0, maxParts);
  return {
    Bucket: bucket.name,
    Key: upload.key,
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: listed.at(-1)?.partNumber ?? 0,
    MaxParts: maxParts,
    IsTruncated: page.length > maxParts,
    Parts: listed.map((part) => partOutput(upload, part)),
    Initiator: initiatorOutput(upload),
    Owner: ownerOutput(upload),
    StorageClass: upload.storageClass as ListPartsOutput['StorageClass'],
    ...checksumSettingsOutput(upload),
  };
}

function uploadOutput(upload: UploadRecord, encode: (text: string) => string): MultipartUpload {
  return {
    UploadId: upload.uploadId,
    Key: encode(upload.key),
    Initiated: new Date(upload.initiated),
    StorageClass: upload.storageClass as MultipartUpload['StorageClass'],
    Owner: ownerOutput(upload),
    Initiator: initiatorOutput(upload),
    ...checksumSettingsOutput(upload),
  };
}

/** encoding-type=url: keys and prefixes percent-encoded, '/' kept. */
function urlEncode(text: string): string {
  return encodeURIComponent(text).replace(/%2F/g, '/');
}

/**
 * Uploads after the markers: keys after key-marker, and, with upload-id-marker, the marker key's
 * uploads that come after that upload in the listing's order (key, initiation time). An
 * upload-id-marker that names no upload of that key falls back to the documented rule: upload ids
 * lexicographically greater.
 */
export function afterMarkers(uploads: readonly UploadRecord[], keyMarker: string | undefined, uploadIdMarker: string | undefined): UploadRecord[] {
  if (keyMarker === undefined || keyMarker === '') return [...uploads];
  const sameKey = uploads.filter((u) => u.key === keyMarker);
  let fromMarkerKey: UploadRecord[] = [];
  if (uploadIdMarker !== undefined && uploadIdMarker !== '') {
    const at = sameKey.findIndex((u) => u.uploadId === uploadIdMarker);
    fromMarkerKey = at >= 0 ? sameKey.slice(at + 1) : sameKey.filter((u) => u.uploadId > uploadIdMarker);
  }
  const included = new Set(fromMarkerKey);
  return uploads.filter((upload) => upload.key > keyMarker || included.has(upload));
}

type ListEntry = { upload: UploadRecord } | { prefix: string };

/** Groups keys that contain the delimiter after the prefix into common prefixes, in order, up to `max` entries. */
export function pageOfUploads(
  uploads: readonly UploadRecord[],
  options: { prefix: string; delimiter?: string; max: number; keyMarker?: string },
): { entries: ListEntry[]; truncated: boolean } {
  const entries: ListEntry[] = [];
  let lastPrefix: string | undefined;
  for (const upload of uploads) {
    let commonPrefix: string | undefined;
    if (options.delimiter) {
      const at = upload.key.indexOf(options.delimiter, options.prefix.length);
      if (at >= 0) commonPrefix = upload.key.slice(0, at + options.delimiter.length);
    }
    // A common prefix returned on an earlier page (it was the key marker) is not repeated.
    if (commonPrefix !== undefined && (commonPrefix === lastPrefix || commonPrefix === options.keyMarker)) continue;
    if (entries.length >= options.max) return { entries, truncated: true };
    if (commonPrefix !== undefined) {
      entries.push({ prefix: commonPrefix });
      lastPrefix = commonPrefix;
    } else {
      entries.push({ upload });
    }
  }
  return { entries, truncated: false };
}

export async function listMultipartUploads(input: ListMultipartUploadsRequest, ctx: RequestContext): Promise<ListMultipartUploadsOutput> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  const maxUploads = pageSize(input.MaxUploads, 'max-uploads');
  const prefix = input.Prefix ?? '';
  const all = await listBucketUploads(ctx.store, bucket.name, prefix);
  const candidates = afterMarkers(all, input.KeyMarker, input.UploadIdMarker);
  const { entries, truncated } = pageOfUploads(candidates, { prefix, delimiter: input.Delimiter, max: maxUploads, keyMarker: input.KeyMarker });
  const encode = input.EncodingType === 'url' ? urlEncode : (text: string) => text;
  const uploads = entries.flatMap((entry) => ('upload' in entry ? [entry.upload] : []));
  const prefixes = entries.flatMap((entry) => ('prefix' in entry ? [entry.prefix] : []));
  const last = entries.at(-1);
  return {
    Bucket: bucket.name,
    KeyMarker: encode(input.KeyMarker ?? ''),
    UploadIdMarker: input.UploadIdMarker ?? '',
    ...(last ? { NextKeyMarker: encode('upload' in last ? last.upload.key : last.prefix) } : {}),
    ...(last && 'upload' in last ? { NextUploadIdMarker: last.upload.uploadId } : {}),
    ...(input.Prefix !== undefined ? { Prefix: encode(input.Prefix) } : {}),
    ...(input.Delimiter !== undefined ? { Delimiter: encode(input.Delimiter) } : {}),
    MaxUploads: maxUploads,
    IsTruncated: truncated,
    Uploads: uploads.map((upload) => uploadOutput(upload, encode)),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: encode(p) })),
    ...(input.EncodingType ? { EncodingType: input.EncodingType } : {}),
  };
}
