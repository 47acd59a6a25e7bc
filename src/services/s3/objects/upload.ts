/**
 * What PutObject and CopyObject share when bytes go into a new blob: which flexible checksum the
 * object gets (the one the client names, else CRC64NVME, which S3 computes for every object since
 * 2025), streaming the body into the blob store, and checking Content-MD5 and the client's
 * checksum (header or aws-chunked trailer) against what was received.
 */
import { Readable } from 'node:stream';
import type { RequestContext } from '../../../core/context.ts';
import type { BlobStore, WrittenBlob } from '../blobs/types.ts';
import { badChecksum, badDigestMd5, invalidChecksumValue, invalidDigest, invalidRequest, MAX_OBJECT_SIZE } from './errors.ts';
import { hasherAlgorithm, type S3ChecksumAlgorithm, type ObjectVersion } from './record.ts';

export const CHECKSUM_ALGORITHMS: readonly S3ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** The raw digest length of each algorithm, to tell a malformed checksum value from a wrong one. */
const DIGEST_BYTES: Record<S3ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

/** 'CRC32' → 'ChecksumCRC32', the API member (and x-amz-checksum-crc32 header) of each algorithm. */
export function checksumMember(algorithm: S3ChecksumAlgorithm): `Checksum${S3ChecksumAlgorithm}` {
  return `Checksum${algorithm}`;
}

export interface ChecksumRequest {
  algorithm: S3ChecksumAlgorithm;
  /** The base64 value the client sent in a header, checked once the body is read. */
  expected?: string;
  /** True when the value comes as an aws-chunked trailer. */
  inTrailer: boolean;
}

type ChecksumInput = Partial<Record<`Checksum${S3ChecksumAlgorithm}`, string>> & { ChecksumAlgorithm?: string };

function algorithmOfName(name: string): S3ChecksumAlgorithm | undefined {
  const upper = name.toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper) ? (upper as S3ChecksumAlgorithm) : undefined;
}

/**
 * The checksum a write asks for: a value header (x-amz-checksum-*), a trailer announced in
 * x-amz-trailer, or just x-amz-sdk-checksum-algorithm; CRC64NVME when none.
 */
export function checksumRequestOf(input: ChecksumInput, headers: Record<string, string>): ChecksumRequest {
  const valued = CHECKSUM_ALGORITHMS.filter((a) => input[checksumMember(a)] !== undefined);
  if (valued.length > 1) throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const named = input.ChecksumAlgorithm !== undefined ? algorithmOfName(input.ChecksumAlgorithm) : undefined;
  if (input.ChecksumAlgorithm !== undefined && !named) {
    throw invalidRequest('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  }
  if (valued.length === 1) {
    const algorithm = valued[0]!;
    if (named && named !== algorithm) throw invalidRequest(`Value for x-amz-sdk-checksum-algorithm header is invalid.`);
    const expected = input[checksumMember(algorithm)]!;
    const raw = Buffer.from(expected, 'base64');
    if (raw.length !== DIGEST_BYTES[algorithm] || raw.toString('base64') !== expected) throw invalidChecksumValue(algorithm);
    return { algorithm, expected, inTrailer: false };
  }
  const trailer = (headers['x-amz-trailer'] ?? '').split(',').map((t) => t.trim().toLowerCase()).find((t) => t.startsWith('x-amz-checksum-'));
  const trailerAlgorithm = trailer ? algorithmOfName(trailer.slice('x-amz-checksum-'.length)) : undefined;
  if (trailerAlgorithm) return { algorithm: trailerAlgorithm, inTrailer: true };
  return { algorithm: named ?? 'CRC64NVME', inTrailer: false };
}

/** The Content-MD5 header as raw bytes, or InvalidDigest when it is not the base64 of 16 bytes. */
export function contentMd5Of(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== 16 || raw.toString('base64') !== value.trim()) throw invalidDigest();
  return raw;
}

/** The request body as a stream, whether the pipeline streamed it or buffered it. */
export function bodyStreamOf(body: unknown): Readable {
  if (body === undefined || body === null) return Readable.from([]);
  if (body instanceof Readable) return body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
  if (typeof body === 'string') return Readable.from([Buffer.from(body, 'utf8')]);
  throw new TypeError('unexpected request body');
}

/** The trailers of a streamed body (filled once it ended); {} for a buffered one. */
function trailersOf(body: Readable, ctx: RequestContext): Record<string, string> {
  const own = (body as Readable & { trailers?: Record<string, string> }).trailers;
  return own ?? ctx.requestBody?.trailers ?? {};
}

export interface ReceivedBody {
  blob: WrittenBlob;
  checksum: NonNullable<ObjectVersion['checksum']>;
}

/**
 * Streams a body into a new blob and checks it. On any mismatch the blob is deleted before the
 * error is thrown, so a refused upload leaves nothing behind.
 */
export async function receiveBody(
  ctx: RequestContext,
  blobs: BlobStore,
  body: Readable,
  options: { key: Buffer; checksum: ChecksumRequest; contentMd5?: Buffer; proposedSize?: number },
): Promise<ReceivedBody> {
  const hasher = hasherAlgorithm(options.checksum.algorithm);
  // The announced size lets the blob store choose up front: inline blob, file, hashing worker.
  const blob = await blobs.write(body, { key: options.key, checksumAlgorithms: [hasher], maxBytes: MAX_OBJECT_SIZE, proposedSize: options.proposedSize });
  const value = blob.checksums[hasher]!.toString('base64');
  try {
    if (options.contentMd5 && !options.contentMd5.equals(blob.md5)) throw badDigestMd5();
    const expected = options.checksum.inTrailer ? trailersOf(body, ctx)[`x-amz-checksum-${hasher}`] : options.checksum.expected;
    if (expected !== undefined && expected !== value) throw badChecksum(options.checksum.algorithm);
  } catch (err) {
    await blobs.delete(blob.blobId);
    throw err;
  }
  return { blob, checksum: { algorithm: options.checksum.algorithm, value, type: 'FULL_OBJECT' } };
}

/** The declared size of an upload: x-amz-decoded-content-length for aws-chunked bodies, else Content-Length. */
export function declaredLength(headers: Record<string, string>): number | undefined {
  const text = headers['x-amz-decoded-content-length'] ?? headers['content-length'];
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** The checksum members of an output (ChecksumCRC32 + ChecksumType) for a stored checksum. */
export function checksumOutput(checksum: ObjectVersion['checksum']): Record<string, string> {
  if (!checksum) return {};
  return { [checksumMember(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type };
}
