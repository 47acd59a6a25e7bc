/**
 * GetObject and HeadObject. The body streams from the blob store (decrypted as it is read); only
 * bodies up to 64 KiB are read whole first. A range or part is answered 206 (lengthAndRange).
 */
import type { Readable } from 'node:stream';
import type { RequestContext } from '../../../core/context.ts';
import type { S3Handlers } from '../../../generated/s3/handlers.ts';
import type { GetObjectRequest } from '../../../generated/s3/types.ts';
import type { BucketRecord } from '../buckets/record.ts';
import { requireBucket } from '../buckets/record.ts';
import type { ByteRange } from '../blobs/types.ts';
import { blobStoreOf, customerKeyFrom, keyForRead } from './keys.ts';
import { requireObjectVersion } from './lookup.ts';
import { applyOverrides, checkReadableStorage, checkReadConditions, describeVersion, partRange, resolveRange } from './read.ts';
import type { ObjectVersion } from './record.ts';
import { expirationOutput } from '../lifecycle/expiration.ts';

/** Bodies up to this size are read whole before answering (see GetObject). */
const BUFFERED_BODY_MAX_BYTES = 64 * 1024;

interface PreparedRead {
  bucket: BucketRecord;
  version: ObjectVersion;
  key: Buffer;
  range?: ByteRange;
  partsCount?: number;
  headers: ReturnType<typeof describeVersion>;
}

async function prepareRead(ctx: RequestContext, input: GetObjectRequest, method: 'GET' | 'HEAD'): Promise<PreparedRead> {
  const bucket = await requireBucket(ctx, input.Bucket);
  const customer = customerKeyFrom(input);
  const contentHeaders = (version: ObjectVersion) => applyOverrides(ctx, input, version.contentHeaders);
  const { version } = await requireObjectVersion(ctx, bucket.name, input.Key, input.VersionId, method);
  const now = ctx.clock.now();
  checkReadConditions(input, version);
  if (method === 'GET') checkReadableStorage(version, now);
  const key = await keyForRead(ctx, bucket, version, customer);
  const part = input.PartNumber !== undefined ? partRange(version, input.PartNumber, input.Range) : undefined;
  const range = part ? part.range : resolveRange(input.Range, version.size);
  const headers = describeVersion(version, {
    now,
    showVersionId: bucket.versioning !== 'Unversioned' || version.versionId !== 'null',
    withChecksum: input.ChecksumMode === 'ENABLED' && range === undefined,
    contentHeaders: contentHeaders(version),
  });
  return { bucket, version, key, range, partsCount: part?.partsCount, headers };
}

/** A range or part is answered 206 Partial Content (StatusCode is bound to the HTTP status: models/patches/s3.json). */
function lengthAndRange(read: PreparedRead): { ContentLength: number; ContentRange?: string; PartsCount?: number; StatusCode?: number } {
  const { range, version } = read;
  const partsCount = read.partsCount !== undefined ? { PartsCount: read.partsCount } : {};
  if (!range) return { ContentLength: version.size, ...partsCount };
  return { ContentLength: range.end - range.start + 1, ContentRange: `bytes ${range.start}-${range.end}/${version.size}`, ...partsCount, StatusCode: 206 };
}

/**
 * A small body is answered as one buffer, so headers and body leave in one write instead of a
 * pipe's several (and a damaged blob fails the request cleanly rather than mid-body); an inline
 * one (the common small object) is decrypted right here, without a stream. Larger bodies stream:
 * the codec passes a Readable payload through to the socket.
 */
async function bodyOf(ctx: RequestContext, read: PreparedRead, contentLength: number): Promise<Buffer | Readable> {
  const blobs = blobStoreOf(ctx);
  if (contentLength > BUFFERED_BODY_MAX_BYTES) return blobs.readConcatenated(read.version.blobs, read.key, read.range);
  const inline = blobs.readInlineConcatenated(read.version.blobs, read.key, read.range);
  if (inline) return inline;
  return Buffer.concat(await blobs.readConcatenated(read.version.blobs, read.key, read.range).toArray());
}

export const getHandlers: Pick<S3Handlers, 'GetObject' | 'HeadObject'> = {
  async GetObject(input, ctx) {
    const read = await prepareRead(ctx, input, 'GET');
    const length = lengthAndRange(read);
    return { ...read.headers, ...expirationOutput(read.bucket, read.version), ...length, Body: await bodyOf(ctx, read, length.ContentLength) };
  },

  async HeadObject(input, ctx) {
    const read = await prepareRead(ctx, input, 'HEAD');
    return { ...read.headers, ...expirationOutput(read.bucket, read.version), ...lengthAndRange(read) };
  },
};

