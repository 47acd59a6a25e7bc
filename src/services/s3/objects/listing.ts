/**
 * ListObjects (v1), ListObjectsV2 and ListObjectVersions on top of the scan engine (scan.ts):
 * request checks, markers and continuation tokens, URL encoding of keys, and the entry shapes.
 */
import type { S3Handlers } from '../../../generated/s3/handlers.ts';
import type { RequestContext } from '../../../core/context.ts';
import type { CommonPrefix, DeleteMarkerEntry, EncodingType, ObjectShape, ObjectVersion as ApiObjectVersion, OptionalObjectAttributes } from '../../../generated/s3/types.ts';
import { canonicalUserId } from '../access/acl.ts';
import { requireBucket } from '../buckets/record.ts';
import { invalidArgument } from './errors.ts';
import { checkVersionId } from './lookup.ts';
import type { ObjectVersion } from './record.ts';
import { prefixUpperBound, scanObjects, type ScanEntry, type ScanStart } from './scan.ts';
import { versionRowById } from './table.ts';

const MAX_KEYS_LIMIT = 1000;

function pageSize(maxKeys: number | undefined): number {
  if (maxKeys === undefined) return MAX_KEYS_LIMIT;
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw invalidArgument('Argument maxKeys must be an integer between 0 and 2147483647', 'maxKeys', String(maxKeys));
  return Math.min(maxKeys, MAX_KEYS_LIMIT);
}

function checkEncodingType(encodingType: string | undefined): boolean {
  if (encodingType === undefined) return false;
  if (encodingType !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
  return true;
}

/**
 * S3's encoding-type=url: form encoding (a space is '+', '+' is %2B, UTF-8 bytes percent-encoded)
 * with '/' left as it is.
 */
export function s3UrlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_/]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function encoder(encode: boolean): (text: string) => string {
  return encode ? s3UrlEncode : (text) => text;
}

/** A listing's start after a key or common prefix: past every key under a prefix that ends with the delimiter. */
function startAfter(marker: string, delimiter: string | undefined): ScanStart {
  if (delimiter && marker.endsWith(delimiter)) {
    const past = prefixUpperBound(marker);
    if (past !== undefined) return { key: past, inclusive: true };
  }
  return { key: marker, inclusive: false };
}

// ---- continuation tokens: opaque to clients, "1" + the last key or common prefix returned ------

const TOKEN_VERSION = '1';

function continuationToken(last: ScanEntry): string {
  const value = last.kind === 'prefix' ? `p${last.prefix}` : `k${last.version.key}`;
  return Buffer.from(TOKEN_VERSION + value, 'utf8').toString('base64');
}

function readContinuationToken(token: string): ScanStart {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const valid = token.length > 0 && Buffer.from(text, 'utf8').toString('base64') === token && text.startsWith(TOKEN_VERSION) && /^[kp]/.test(text.slice(1));
  if (!valid) throw invalidArgument('The continuation token provided is incorrect', 'continuation-token');
  const value = text.slice(2);
  if (text[1] === 'p') {
    const past = prefixUpperBound(value);
    if (past !== undefined) return { key: past, inclusive: true };
  }
  return { key: value, inclusive: false };
}

// ---- entry shapes -------------------------------------------------------------------------------

function checksumFields(version: ObjectVersion) {
  return version.checksum ? { ChecksumAlgorithm: [version.checksum.algorithm], ChecksumType: version.checksum.type } : {};
}

function objectEntry(version: ObjectVersion, encode: (s: string) => string, withOwner: boolean, withRestore: boolean, now: Date): ObjectShape {
  const entry: Record<string, unknown> = {
    Key: encode(version.key),
    LastModified: new Date(version.lastModified),
    ETag: `"${version.etag}"`,
    ...checksumFields(version),
    Size: version.size,
  };
  if (withOwner) entry.Owner = { ID: canonicalUserId(version.ownerAccountId) };
  entry.StorageClass = version.storageClass;
  if (withRestore && version.restore) {
    const done = now.getTime() >= new Date(version.restore.completesAt).getTime();
    entry.RestoreStatus = done ? { IsRestoreInProgress: false, RestoreExpiryDate: new Date(version.restore.expiresAt) } : { IsRestoreInProgress: true };
  }
  return entry as ObjectShape;
}

function prefixEntries(entries: ScanEntry[], encode: (s: string) => string): CommonPrefix[] {
  return entries.flatMap((e) => (e.kind === 'prefix' ? [{ Prefix: encode(e.prefix) }] : []));
}

function optional<T>(name: string, value: T | undefined): Record<string, T> {
  return value === undefined ? {} : { [name]: value };
}

// ---- what the three listings share ------------------------------------------------------------

/** The request members every listing reads, and checks, the same way. */
interface ListingInput {
  Bucket: string;
  Prefix?: string;
  Delimiter?: string;
  MaxKeys?: number;
  EncodingType?: EncodingType;
}

interface ListingRequest {
  bucketName: string;
  /** The page size: MaxKeys capped at 1,000. */
  maxKeys: number;
  encode: (text: string) => string;
  prefix: string;
  /** An empty Delimiter is no delimiter. */
  delimiter: string | undefined;
}

/** Resolves the bucket and checks MaxKeys and EncodingType, in the order S3 reports their errors. */
async function listingRequest(ctx: RequestContext, input: ListingInput): Promise<ListingRequest> {
  const bucket = await requireBucket(ctx, input.Bucket);
  const maxKeys = pageSize(input.MaxKeys);
  const encode = encoder(checkEncodingType(input.EncodingType));
  return { bucketName: bucket.name, maxKeys, encode, prefix: input.Prefix ?? '', delimiter: input.Delimiter || undefined };
}

/** ListObjects' and ListObjectsV2's Contents: the scanned versions (never delete markers there). */
function objectEntries(
  entries: ScanEntry[],
  encode: (s: string) => string,
  withOwner: boolean,
  optionalAttributes: OptionalObjectAttributes[] | undefined,
  now: Date,
): ObjectShape[] {
  const withRestore = optionalAttributes?.includes('RestoreStatus') ?? false;
  return entries.flatMap((e) => (e.kind === 'version' ? [objectEntry(e.version, encode, withOwner, withRestore, now)] : []));
}

/** The members every listing answers with: the request echoed (encoded) and the common prefixes. */
function listingEcho(request: ListingRequest, input: ListingInput, entries: ScanEntry[]) {
  const { encode, delimiter } = request;
  const prefixes = prefixEntries(entries, encode);
  return {
    Name: request.bucketName,
    Prefix: encode(request.prefix),
    ...optional('Delimiter', delimiter === undefined ? undefined : encode(delimiter)),
    MaxKeys: input.MaxKeys ?? MAX_KEYS_LIMIT,
    ...(prefixes.length ? { CommonPrefixes: prefixes } : {}),
    ...optional('EncodingType', input.EncodingType),
  };
}

/** One page of the request's bucket, prefix and delimiter from `start`: current versions, or all. */
function scanFor(ctx: RequestContext, request: ListingRequest, start: ScanStart | undefined, allVersions: boolean) {
  const { bucketName: bucket, prefix, delimiter, maxKeys } = request;
  return scanObjects(ctx.store, { bucket, prefix, delimiter, start, maxKeys, allVersions });
}

export const listingHandlers: Pick<S3Handlers, 'ListObjectsV2' | 'ListObjects' | 'ListObjectVersions'> = {
  async ListObjectsV2(input, ctx) {
    const request = await listingRequest(ctx, input);
    const { encode } = request;
    let start: ScanStart | undefined;
    if (input.ContinuationToken) start = readContinuationToken(input.ContinuationToken);
    else if (input.StartAfter) start = { key: input.StartAfter, inclusive: false };
    const page = await scanFor(ctx, request, start, false);
    const contents = objectEntries(page.entries, encode, input.FetchOwner === true, input.OptionalObjectAttributes, ctx.clock.now());
    const last = page.entries[page.entries.length - 1];
    return {
      IsTruncated: page.isTruncated,
      ...(contents.length ? { Contents: contents } : {}),
      ...listingEcho(request, input, page.entries),
      KeyCount: page.entries.length,
      ...optional('ContinuationToken', input.ContinuationToken),
      ...optional('NextContinuationToken', page.isTruncated && last ? continuationToken(last) : undefined),
      ...optional('StartAfter', input.StartAfter === undefined ? undefined : encode(input.StartAfter)),
    };
  },

  async ListObjects(input, ctx) {
    const request = await listingRequest(ctx, input);
    const { encode, delimiter } = request;
    const start = input.Marker ? startAfter(input.Marker, delimiter) : undefined;
    const page = await scanFor(ctx, request, start, false);
    const contents = objectEntries(page.entries, encode, true, input.OptionalObjectAttributes, ctx.clock.now());
    const last = page.entries[page.entries.length - 1];
    // NextMarker only with a delimiter; without one, clients continue from the last key.
    const nextMarker = page.isTruncated && delimiter !== undefined && last ? (last.kind === 'prefix' ? last.prefix : last.version.key) : undefined;
    return {
      IsTruncated: page.isTruncated,
      Marker: encode(input.Marker ?? ''),
      ...optional('NextMarker', nextMarker === undefined ? undefined : encode(nextMarker)),
      ...(contents.length ? { Contents: contents } : {}),
      ...listingEcho(request, input, page.entries),
    };
  },

  async ListObjectVersions(input, ctx) {
    const request = await listingRequest(ctx, input);
    const { encode, delimiter } = request;
    let start: ScanStart | undefined;
    if (input.VersionIdMarker && !input.KeyMarker) {
      throw invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', input.VersionIdMarker);
    }
    if (input.KeyMarker) {
      start = startAfter(input.KeyMarker, delimiter);
      if (input.VersionIdMarker) {
        checkVersionId(input.VersionIdMarker);
        const marker = await versionRowById(ctx.store, request.bucketName, input.KeyMarker, input.VersionIdMarker);
        if (marker) start = { key: input.KeyMarker, inclusive: false, afterSeq: marker.seq };
      }
    }
    const page = await scanFor(ctx, request, start, true);
    const versions: ApiObjectVersion[] = [];
    const markers: DeleteMarkerEntry[] = [];
    for (const e of page.entries) {
      if (e.kind !== 'version') continue;
      const v = e.version;
      const owner = { ID: canonicalUserId(v.ownerAccountId) };
      if (v.isDeleteMarker) {
        markers.push({ Owner: owner, Key: encode(v.key), VersionId: v.versionId, IsLatest: e.isLatest, LastModified: new Date(v.lastModified) });
      } else {
        versions.push({
          ETag: `"${v.etag}"`,
          ...checksumFields(v),
          Size: v.size,
          StorageClass: v.storageClass as ApiObjectVersion['StorageClass'],
          Key: encode(v.key),
          VersionId: v.versionId,
          IsLatest: e.isLatest,
          LastModified: new Date(v.lastModified),
          Owner: owner,
        });
      }
    }
    const last = page.entries[page.entries.length - 1];
    const next = page.isTruncated && last
      ? last.kind === 'prefix'
        ? { NextKeyMarker: encode(last.prefix) }
        : { NextKeyMarker: encode(last.version.key), NextVersionIdMarker: last.version.versionId }
      : {};
    return {
      IsTruncated: page.isTruncated,
      KeyMarker: encode(input.KeyMarker ?? ''),
      VersionIdMarker: input.VersionIdMarker ?? '',
      ...next,
      ...(versions.length ? { Versions: versions } : {}),
      ...(markers.length ? { DeleteMarkers: markers } : {}),
      ...listingEcho(request, input, page.entries),
    };
  },
};
