/**
 * What GetObject and HeadObject share: conditional requests with S3's precedence, byte ranges and
 * part numbers, archived storage classes, response-* overrides, and the headers describing a version.
 */
import type { RequestContext } from '../../../core/context.ts';
import { AwsError } from '../../../core/errors.ts';
import type { GetObjectRequest, StorageClass } from '../../../generated/s3/types.ts';
import type { ByteRange } from '../blobs/types.ts';
import { invalidObjectState, invalidRange, invalidRequest, notModified, preconditionFailed } from './errors.ts';
import { epochSeconds, httpDate } from './http-dates.ts';
import { encryptionOutput } from './keys.ts';
import { etagMatches } from './put.ts';
import type { ObjectVersion } from './record.ts';
import { checksumOutput } from './upload.ts';

export interface ConditionalHeaders {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
}

function secondsOf(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Which Condition a failed precondition names, and whether a "not modified" answer is 304 or 412. */
export interface ConditionNames {
  ifMatch: string;
  ifNoneMatch: string;
  ifModifiedSince: string;
  ifUnmodifiedSince: string;
  /** GET/HEAD answer 304 Not Modified; CopyObject's copy-source conditions answer 412. */
  notModifiedIsPreconditionFailure: boolean;
}

export const READ_CONDITION_NAMES: ConditionNames = {
  ifMatch: 'If-Match',
  ifNoneMatch: 'If-None-Match',
  ifModifiedSince: 'If-Modified-Since',
  ifUnmodifiedSince: 'If-Unmodified-Since',
  notModifiedIsPreconditionFailure: false,
};

/**
 * RFC 7232 as S3 applies it: If-Match decides over If-Unmodified-Since (412), If-None-Match over
 * If-Modified-Since (304); a date condition counts only when its ETag partner is absent.
 */
export function checkReadConditions(conditions: ConditionalHeaders, version: ObjectVersion, names: ConditionNames = READ_CONDITION_NAMES): void {
  const modified = epochSeconds(version.lastModified);
  if (conditions.IfMatch !== undefined) {
    if (!etagMatches(conditions.IfMatch, version.etag)) throw preconditionFailed(names.ifMatch);
  } else if (conditions.IfUnmodifiedSince !== undefined && modified > secondsOf(conditions.IfUnmodifiedSince)) {
    throw preconditionFailed(names.ifUnmodifiedSince);
  }
  const unchanged = (condition: string): AwsError =>
    names.notModifiedIsPreconditionFailure
      ? preconditionFailed(condition)
      : notModified({ ETag: `"${version.etag}"`, 'Last-Modified': httpDate(version.lastModified) });
  if (conditions.IfNoneMatch !== undefined) {
    if (etagMatches(conditions.IfNoneMatch, version.etag)) throw unchanged(names.ifNoneMatch);
  } else if (conditions.IfModifiedSince !== undefined && modified <= secondsOf(conditions.IfModifiedSince)) {
    throw unchanged(names.ifModifiedSince);
  }
}

/**
 * A Range header resolved against the object size. Syntax S3 does not honour (several ranges,
 * garbage) means the whole object; a range starting at or past the end is 416.
 */
export function resolveRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw invalidRange(header, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? Infinity : Number(m[2]);
  if (end < start) return undefined;
  if (start >= size) throw invalidRange(header, size);
  return { start, end: Math.min(end, size - 1) };
}

/** The byte range of part `partNumber` (1-based); an object not uploaded in parts has one part. */
export function partRange(version: ObjectVersion, partNumber: number, rangeHeader: string | undefined): { range: ByteRange; partsCount?: number } {
  if (rangeHeader !== undefined) throw invalidRequest('Cannot specify both Range header and partNumber query parameter');
  const sizes = version.parts?.map((p) => p.size) ?? [version.size];
  if (partNumber < 1 || partNumber > sizes.length) {
    throw new AwsError('InvalidPartNumber', 'The requested partnumber is not satisfiable', {
      status: 416,
      fields: { PartNumberRequested: partNumber, ActualPartCount: sizes.length },
    });
  }
  const start = sizes.slice(0, partNumber - 1).reduce((a, b) => a + b, 0);
  const range = { start, end: start + sizes[partNumber - 1]! - 1 };
  return version.parts ? { range, partsCount: sizes.length } : { range };
}

const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

function restoreState(version: ObjectVersion, now: Date): 'none' | 'ongoing' | 'restored' | 'expired' {
  if (!version.restore) return 'none';
  const t = now.getTime();
  if (t < new Date(version.restore.completesAt).getTime()) return 'ongoing';
  return t < new Date(version.restore.expiresAt).getTime() ? 'restored' : 'expired';
}

/** GetObject of an archived object needs a completed, unexpired restore. */
export function checkReadableStorage(version: ObjectVersion, now: Date): void {
  if (ARCHIVED.has(version.storageClass) && restoreState(version, now) !== 'restored') throw invalidObjectState(version.storageClass);
}

/** The x-amz-restore header, when a restore was requested. */
export function restoreHeader(version: ObjectVersion, now: Date): string | undefined {
  const state = restoreState(version, now);
  if (state === 'ongoing') return 'ongoing-request="true"';
  if (state === 'restored') return `ongoing-request="false", expiry-date="${httpDate(version.restore!.expiresAt)}"`;
  return undefined;
}

/** GetObject's response-* query parameters, as the generated request type declares them. */
export type ResponseOverrides = Pick<
  GetObjectRequest,
  'ResponseCacheControl' | 'ResponseContentDisposition' | 'ResponseContentEncoding' | 'ResponseContentLanguage' | 'ResponseContentType' | 'ResponseExpires'
>;

/** response-* query parameters replace the stored headers; anonymous requests may not use them. */
export function applyOverrides(ctx: RequestContext, overrides: ResponseOverrides, headers: ObjectVersion['contentHeaders']): ObjectVersion['contentHeaders'] {
  const given = Object.entries(overrides).filter(([name, v]) => name.startsWith('Response') && v !== undefined);
  if (given.length === 0) return headers;
  if (ctx.principal.type === 'anonymous') throw invalidRequest('Request specific response headers cannot be used for anonymous GET requests.');
  const out = { ...headers };
  if (overrides.ResponseCacheControl !== undefined) out.CacheControl = overrides.ResponseCacheControl;
  if (overrides.ResponseContentDisposition !== undefined) out.ContentDisposition = overrides.ResponseContentDisposition;
  if (overrides.ResponseContentEncoding !== undefined) out.ContentEncoding = overrides.ResponseContentEncoding;
  if (overrides.ResponseContentLanguage !== undefined) out.ContentLanguage = overrides.ResponseContentLanguage;
  if (overrides.ResponseContentType !== undefined) out.ContentType = overrides.ResponseContentType;
  if (overrides.ResponseExpires !== undefined) out.Expires = overrides.ResponseExpires.toUTCString();
  return out;
}

/**
 * The headers GET and HEAD send for a version: ETag, Last-Modified, content headers, metadata,
 * encryption, storage class (never STANDARD), restore, tag count, version id, checksum when asked.
 */
export function describeVersion(
  version: ObjectVersion,
  options: { now: Date; showVersionId: boolean; withChecksum: boolean; contentHeaders: ObjectVersion['contentHeaders'] },
) {
  const restore = restoreHeader(version, options.now);
  return {
    AcceptRanges: 'bytes',
    LastModified: new Date(version.lastModified),
    ETag: `"${version.etag}"`,
    ...(options.withChecksum ? checksumOutput(version.checksum) : {}),
    ...(options.showVersionId ? { VersionId: version.versionId } : {}),
    ...options.contentHeaders,
    ...(version.websiteRedirectLocation !== undefined ? { WebsiteRedirectLocation: version.websiteRedirectLocation } : {}),
    ...encryptionOutput(version.encryption),
    ...(Object.keys(version.metadata).length ? { Metadata: version.metadata } : {}),
    ...(version.storageClass !== 'STANDARD' ? { StorageClass: version.storageClass as StorageClass } : {}),
    ...(restore !== undefined ? { Restore: restore } : {}),
    ...(version.tags?.length ? { TagCount: version.tags.length } : {}),
  };
}
