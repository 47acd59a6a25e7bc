/**
 * ListObjects (v1), ListObjectsV2 and ListObjectVersions on top of the scan engine (scan.ts):
 * request checks, markers and continuation tokens, URL encoding of keys, and the entry shapes.
 */
import type { S3Handlers } from '../../../generated/s3/handlers.ts';
import type { CommonPrefix, DeleteMarkerEntry, ObjectShape, ObjectVersion as ApiObjectVersion } from '../../../generated/s3/types.ts';
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

export const listingHandlers: Pick<S3Handlers, 'ListObjectsV2' | 'ListObjects' | 'ListObjectVersions'> = {
  async ListObjectsV2(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket);
    const maxKeys = pageSize(input.MaxKeys);
    const encode = encoder(checkEncodingType(input.EncodingType));
    const prefix = input.Prefix ?? '';
    const delimiter = input.Delimiter || undefined;
    let start: ScanStart | undefined;
    if (input.ContinuationToken) start = readContinuationToken(input.ContinuationToken);
    else if (input.StartAfter) start = { key: input.StartAfter, inclusive: false };
    const page = await scanObjects(ctx.store, { bucket: bucket.name, prefix, delimiter, start, maxKeys, allVersions: false });
    const withRestore = input.OptionalObjectAttributes?.includes('RestoreStatus') ?? false;
    const now = ctx.clock.now();
    const contents = page.entries.flatMap((e) => (e.kind === 'version' ? [objectEntry(e.version, encode, input.FetchOwner === true, withRestore, now)] : []));
    const prefixes = prefixEntries(page.entries, encode);
    const last = page.entries[page.entries.length - 1];
    return {
      IsTruncated: page.isTruncated,
      ...(contents.length ? { Contents: contents } : {}),
      Name: bucket.name,
      Prefix: encode(prefix),
      ...optional('Delimiter', delimiter === undefined ? undefined : encode(delimiter)),
      MaxKeys: input.MaxKeys ?? MAX_KEYS_LIMIT,
      ...(prefixes.length ? { CommonPrefixes: prefixes } : {}),
      ...optional('EncodingType', input.EncodingType),
      KeyCount: page.entries.length,
      ...optional('ContinuationToken', input.ContinuationToken),
      ...optional('NextContinuationToken', page.isTruncated && last ? continuationToken(last) : undefined),
      ...optional('StartAfter', input.StartAfter === undefined ? undefined : encode(input.StartAfter)),
    };
  },

  async ListObjects(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket);
    const maxKeys = pageSize(input.MaxKeys);
    const encode = encoder(checkEncodingType(input.EncodingType));
    const prefix = input.Prefix ?? '';
    const delimiter = input.Delimiter || undefined;
    const start = input.Marker ? startAfter(input.Marker, delimiter) : undefined;
    const page = await scanObjects(ctx.store, { bucket: bucket.name, prefix, delimiter, start, maxKeys, allVersions: false });
    const withRestore = input.OptionalObjectAttributes?.includes('RestoreStatus') ?? false;
    const now = ctx.clock.now();
    const contents = page.entries.flatMap((e) => (e.kind === 'version' ? [objectEntry(e.version, encode, true, withRestore, now)] : []));
    const prefixes = prefixEntries(page.entries, encode);
    const last = page.entries[page.entries.length - 1];
    // NextMarker only with a delimiter; without one, clients continue from the last key.
    const nextMarker = page.isTruncated && delimiter !== undefined && last ? (last.kind === 'prefix' ? last.prefix : last.version.key) : undefined;
    return {
      IsTruncated: page.isTruncated,
      Marker: encode(input.Marker ?? ''),
      ...optional('NextMarker', nextMarker === undefined ? undefined : encode(nextMarker)),
      ...(contents.length ? { Contents: contents } : {}),
      Name: bucket.name,
      Prefix: encode(prefix),
      ...optional('Delimiter', delimiter === undefined ? undefined : encode(delimiter)),
      MaxKeys: input.MaxKeys ?? MAX_KEYS_LIMIT,
      ...(prefixes.length ? { CommonPrefixes: prefixes } : {}),
      ...optional('EncodingType', input.EncodingType),
    };
  },

  async ListObjectVersions(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket);
    const maxKeys = pageSize(input.MaxKeys);
    const encode = encoder(checkEncodingType(input.EncodingType));
    const prefix = input.Prefix ?? '';
    const delimiter = input.Delimiter || undefined;
    let start: ScanStart | undefined;
    if (input.VersionIdMarker && !input.KeyMarker) {
      throw invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', input.VersionIdMarker);
    }
    if (input.KeyMarker) {
      start = startAfter(input.KeyMarker, delimiter);
      if (input.VersionIdMarker) {
        checkVersionId(input.VersionIdMarker);
        const marker = await versionRowById(ctx.store, bucket.name, input.KeyMarker, input.VersionIdMarker);
        if (marker) start = { key: input.KeyMarker, inclusive: false, afterSeq: marker.seq };
      }
    }
    const page = await scanObjects(ctx.store, { bucket: bucket.name, prefix, delimiter, start, maxKeys, allVersions: true });
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
    const prefixes = prefixEntries(page.entries, encode);
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
      Name: bucket.name,
      Prefix: encode(prefix),
      ...optional('Delimiter', delimiter === undefined ? undefined : encode(delimiter)),
      MaxKeys: input.MaxKeys ?? MAX_KEYS_LIMIT,
      ...(prefixes.length ? { CommonPrefixes: prefixes } : {}),
      ...optional('EncodingType', input.EncodingType),
    };
  },
};
